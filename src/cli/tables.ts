import type { OpenError } from "../store/integration-errors.ts"
import type { IntegrationRow } from "../store/integrations.ts"
import type { RunSummary } from "../store/runs.ts"
import type { UnmetCondition } from "../sync/errors.ts"
import type { RunResult, SyncOutcome } from "../sync/runner.ts"

/** Plain-text tables for the CLI's stdout (no colours: output is often piped or logged by CI). */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string | number>>): string => {
  const cells = [headers, ...rows.map((r) => r.map(String))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)))
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"))
  const line = (r: ReadonlyArray<string>) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n")
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`

export const renderRun = (run: RunResult): string => {
  const rows = run.stages.map((s) => [
    s.stage,
    s.counts.pulled,
    s.counts.inserted,
    s.counts.updated,
    s.counts.unchanged,
    s.counts.skipped,
    s.counts.errors,
    s.counts.reevaluated,
    s.counts.apiCalls,
    seconds(s.durationMs),
    s.status
  ])
  const head = `${run.kind === "seed" ? "Initial seed" : "Full sync"}${run.runId > 0 ? ` (run ${run.runId})` : " (dry run: nothing written)"}: ${run.status}`
  const lines = [
    head,
    table(
      [
        "stage",
        "pulled",
        "inserted",
        "updated",
        "unchanged",
        "skipped",
        "errors",
        "re-evaluated",
        "api calls",
        "time",
        "status"
      ],
      rows
    )
  ]
  for (const note of run.notes) lines.push(`note: ${note}`)
  if (run.error) lines.push(`error: ${run.error}`)
  lines.push(
    `${run.apiCalls} Bill.com requests; ${plural(run.openErrors, "open integration error")} in ${run.kind === "seed" ? "the seed stages" : "these stages"}${run.openErrors > 0 ? " — see `billsync errors`" : ""}`
  )
  return lines.join("\n")
}

/** A read-only command on a database where the pipeline has no integration yet. */
export const neverSynced = (pipeline: string): string =>
  `billsync: ${pipeline} has never been connected or synced into this database: run \`billsync connect ${pipeline}\` or \`billsync sync ${pipeline}\` first`

export const renderUnmet = (pipeline: string, unmet: ReadonlyArray<UnmetCondition>): string =>
  [
    `Setup not completed for ${pipeline}: the full sync is refused until every condition below is met (the seed stages still ran).`,
    ...unmet.map((u, i) => `  ${i + 1}. ${u.condition}: ${u.problem}\n     fix: ${u.fix}`)
  ].join("\n")

/** What the stage table's counts mean (the same words in status, reports and the HTML). */
export const COUNTS_LEGEND =
  "errors: records that did not import and are in the error log (`billsync errors`), counted in the run that evaluated them; skipped: left out on purpose (before the cutoff, archived, unmapped master data)."

export const renderOutcome = (outcome: SyncOutcome): string =>
  [
    ...outcome.runs.map(renderRun),
    ...(outcome.runs.length > 0 ? [COUNTS_LEGEND] : []),
    ...(outcome.unmet.length > 0 ? [renderUnmet(outcome.integration.pipeline, outcome.unmet)] : [])
  ].join("\n\n")

/** The open errors; with `shown`, only the first ones in full and where to see the rest (the count is always the total). */
export const renderErrors = (
  errors: ReadonlyArray<OpenError>,
  options: { readonly shown?: number; readonly pipeline?: string } = {}
): string => {
  if (errors.length === 0) return "No open integration errors."
  const shown = Math.min(options.shown ?? errors.length, errors.length)
  const blocks = errors
    .slice(0, shown)
    .map(
      (e) =>
        `[${e.stage}] ${e.kind} ${e.billcomId} — ${e.symptom}\n  cause: ${e.cause}\n  detail: ${e.message}\n  resolution: ${e.resolution}\n  seen ${e.occurrences}× (first ${e.firstSeenAt}, last ${e.lastSeenAt})`
    )
  const head = `${plural(errors.length, "open integration error")}${shown < errors.length ? ` — the first ${shown} below` : ""}:`
  const tail =
    shown < errors.length
      ? [
          `… and ${errors.length - shown} more: \`billsync errors ${options.pipeline ?? "<pipeline>"}\` lists all ${errors.length}`
        ]
      : []
  return [head, ...blocks, ...tail].join("\n")
}

/**
 * The cutoff in force: the one the last full sync applied (stored on the integration), and the
 * pipeline's, which the next sync applies when they differ (moved earlier: backfill from stored
 * source records; moved later: older records stop being imported, ones in the ledger are kept).
 */
export interface CutoffState {
  /** Applied by the last full sync; null before one ran (or when it ran without a cutoff). */
  readonly inForce: string | null
  /** What the pipeline says now. */
  readonly pipeline: string | null
  /** The next sync changes the cutoff in force. */
  readonly pending: boolean
  readonly summary: string
}

export const cutoffState = (stored: string | null, configured: string | undefined): CutoffState => {
  const pipeline = configured ?? null
  const pending = stored !== pipeline
  const rule = (c: string) => `Bill.com bills, vendor credits and payments dated before ${c} are not imported`
  const summary = !pending
    ? pipeline === null
      ? "none: every Bill.com record is imported"
      : `${pipeline} (${rule(pipeline)})`
    : stored === null
      ? `none applied yet; the pipeline's ${pipeline} applies from the next full sync (${rule(pipeline!)})`
      : pipeline === null || pipeline < stored
        ? `${stored} (applied by the last full sync); the pipeline now says ${pipeline ?? "none"}: the next full sync backfills the records dated in between from stored source records`
        : `${stored} (applied by the last full sync); the pipeline now says ${pipeline}: from the next full sync records dated before it are no longer imported (ones already in the ledger are kept)`
  return { inForce: stored, pipeline, pending, summary }
}

export const renderStatus = (
  integration: IntegrationRow,
  unmet: ReadonlyArray<UnmetCondition>,
  runs: ReadonlyArray<RunSummary>,
  openErrors: ReadonlyMap<string, number>,
  configuredCutoff: string | undefined
): string => {
  const lines = [
    `Integration ${integration.pipeline} (company ${integration.companyKey ?? "-"}, Bill.com organization ${integration.organizationId}, ${integration.environment})`,
    `  status: ${integration.status}${integration.connectedAt ? ` (connected ${integration.connectedAt})` : ""}${integration.lastError ? ` — ${integration.lastError}` : ""}`,
    ...(integration.lastErrorAdvice ? [`  advice: ${integration.lastErrorAdvice}`] : []),
    `  initial seed: ${integration.seededAt ?? "not yet run"}`,
    `  cutoff in force: ${cutoffState(integration.cutoff, configuredCutoff).summary}`,
    unmet.length === 0
      ? "  setup: complete — full syncs run"
      : `  setup: NOT completed (${unmet.length} condition(s) unmet)`,
    ...unmet.map((u) => `    - ${u.condition}: ${u.problem}\n      fix: ${u.fix}`)
  ]
  const total = [...openErrors.values()].reduce((a, b) => a + b, 0)
  lines.push(
    `  open integration errors now: ${total}${total > 0 ? ` (${[...openErrors].map(([s, n]) => `${s} ${n}`).join(", ")}) — \`billsync errors ${integration.pipeline}\`` : ""}`
  )
  lines.push("")
  lines.push(
    runs.length === 0
      ? "No runs yet."
      : table(
          [
            "run",
            "kind",
            "status",
            "started",
            "finished",
            "api calls",
            "inserted",
            "updated",
            "skipped",
            "errors in run",
            "open errors after"
          ],
          runs.map((r) => [
            r.id,
            r.kind,
            r.status,
            r.startedAt,
            r.finishedAt ?? "-",
            r.apiCalls,
            r.stages.reduce((n, s) => n + s.inserted, 0),
            r.stages.reduce((n, s) => n + s.updated, 0),
            r.stages.reduce((n, s) => n + s.skipped, 0),
            r.stages.reduce((n, s) => n + s.errors, 0),
            r.openErrorsAfter ?? "-"
          ])
        ) +
          `\n\nerrors in run: records that run evaluated and could not import; open errors after: the error log when it finished (all stages).`
  )
  return lines.join("\n")
}
