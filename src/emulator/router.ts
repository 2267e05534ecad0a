import type { Session } from "./sessions.ts"

/** A matched request as a handler sees it. */
export interface Req {
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  /** Parsed JSON body (v3, control) or the decoded `data` field (v2); undefined when absent. */
  readonly body: unknown
  /** v2 form fields. */
  readonly form: URLSearchParams
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly session: Session | undefined
  /** Malformed-record fault decision for the record at `index` of this response. */
  readonly malformed: (index: number) => boolean
  /**
   * Mark this response as deliberately off-contract (a malformed-record fault or anomaly), so the
   * contract's response check counts it as injected instead of as a violation.
   */
  readonly injected: () => void
}

export interface Reply {
  readonly status: number
  /** undefined = empty body (logout). */
  readonly body?: unknown
}

export type Surface = "v3" | "v2" | "control"

export interface Route {
  readonly method: string
  /** Path template under its surface's mount point, e.g. "/v3/bills/{billId}". */
  readonly template: string
  readonly surface: Surface
  /** Needs a session (everything except login and the control API). */
  readonly auth: boolean
  readonly handle: (req: Req) => Reply | Promise<Reply>
}

interface Compiled {
  readonly route: Route
  readonly parts: ReadonlyArray<string>
}

/** Exact-segment router: `{name}` segments capture; everything else must match exactly (case-sensitive, like Bill.com). */
export class Router {
  private readonly compiled: Array<Compiled>
  constructor(routes: ReadonlyArray<Route>) {
    this.compiled = routes.map((route) => ({ route, parts: route.template.split("/") }))
  }

  match(
    surface: Surface,
    method: string,
    path: string
  ): { route: Route; params: Record<string, string> } | "method" | undefined {
    const parts = path.split("/")
    let methodMismatch = false
    for (const { route, parts: tpl } of this.compiled) {
      if (route.surface !== surface || tpl.length !== parts.length) continue
      const params: Record<string, string> = {}
      let ok = true
      for (let i = 0; i < tpl.length; i++) {
        const t = tpl[i]!
        const p = parts[i]!
        if (t.startsWith("{") && t.endsWith("}")) {
          if (p === "") {
            ok = false
            break
          }
          params[t.slice(1, -1)] = decodeURIComponent(p)
        } else if (t !== p) {
          ok = false
          break
        }
      }
      if (!ok) continue
      if (route.method !== method) {
        methodMismatch = true
        continue
      }
      return { route, params }
    }
    return methodMismatch ? "method" : undefined
  }
}
