/**
 * Alerting on a change of state, not on every run: one GitHub issue per subject (a pipeline's
 * scheduled sync, the freshness check). `scripts/alert.ts` reads the issue with `gh`, asks
 * `alertAction` what to do, and does it. Pure, so the state logic is tested without GitHub.
 */

export type Outcome = "success" | "failure"

export interface KnownIssue {
  readonly number: number
  readonly state: "OPEN" | "CLOSED"
}

export type AlertAction =
  /** Healthy and no open issue, or still broken with the issue already open: nobody is notified. */
  | { readonly _tag: "none"; readonly refresh?: number }
  /** It broke and there has never been an issue: open one. */
  | { readonly _tag: "open" }
  /** It broke again: reopen the subject's closed issue with a comment (its history stays in one place). */
  | { readonly _tag: "reopen"; readonly number: number }
  /** It recovered: comment and close. */
  | { readonly _tag: "close"; readonly number: number }

/**
 * `issues` are the subject's issues (same title), newest first. Still broken with an open issue:
 * nothing that notifies — the issue's body is refreshed (`refresh`) to point at the latest failing run.
 */
export const alertAction = (outcome: Outcome, issues: ReadonlyArray<KnownIssue>): AlertAction => {
  const open = issues.find((i) => i.state === "OPEN")
  if (outcome === "success") return open === undefined ? { _tag: "none" } : { _tag: "close", number: open.number }
  if (open !== undefined) return { _tag: "none", refresh: open.number }
  const closed = issues[0]
  return closed === undefined ? { _tag: "open" } : { _tag: "reopen", number: closed.number }
}

/** The issue title of a subject: stable, so the next run finds the same issue. */
export const alertTitle = (subject: string): string => `billsync alert: ${subject}`
