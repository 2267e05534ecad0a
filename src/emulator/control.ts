import type { EmulatorCore } from "./core.ts"
import { Errors } from "./errors.ts"
import type { FaultConfig } from "./faults.ts"
import type { Mutation } from "./mutations.ts"
import type { Route } from "./router.ts"

/**
 * The control API under /__emulator (absent in strict mode): counters, faults, mutations,
 * snapshot, sessions and clock. No Bill.com session needed — it is the test harness's side door.
 */
export const controlRoutes = (core: EmulatorCore): ReadonlyArray<Route> => {
  const route = (method: string, template: string, handle: Route["handle"]): Route => ({
    method,
    template,
    surface: "control",
    auth: false,
    handle
  })
  const ok = (body: unknown) => ({ status: 200, body })
  return [
    route("GET", "/info", () =>
      ok({
        origin: core.origin,
        v3BaseUrl: `${core.origin}/connect`,
        v2BaseUrl: `${core.origin}/api/v2`,
        seed: core.seed,
        credentials: core.credentials,
        now: new Date(core.state.now()).toISOString()
      })
    ),
    route("GET", "/counters", () => ok(core.counterSnapshot())),
    route("POST", "/counters/reset", () => {
      core.resetCounters()
      return ok(core.counterSnapshot())
    }),
    route("GET", "/faults", () => ok(core.faults.config)),
    route("PUT", "/faults", (req) => {
      if (typeof req.body !== "object" || req.body === null) throw Errors.badRequest("faults: body must be an object")
      core.setFaults(req.body as FaultConfig)
      return ok(core.faults.config)
    }),
    route("POST", "/mutate", (req) => {
      const body = req.body
      const list = Array.isArray(body) ? body : [body]
      if (list.some((m) => typeof m !== "object" || m === null || typeof (m as { op?: unknown }).op !== "string"))
        throw Errors.badRequest("mutate: body must be a mutation or an array of mutations with an 'op'")
      return ok(list.map((m) => core.mutate(m as Mutation)))
    }),
    route("GET", "/snapshot", () => ok(core.snapshot())),
    route("POST", "/sessions/expire", () => ok({ expired: core.sessions.expireAll() })),
    route("POST", "/clock/advance", (req) => {
      const ms = (req.body as { ms?: unknown } | undefined)?.ms
      if (typeof ms !== "number" || ms < 0) throw Errors.validation([["ms", "must be a non-negative number"]])
      return ok({ now: new Date(core.state.advanceClock(ms)).toISOString() })
    })
  ]
}
