import { Console, Effect } from "effect"
import { Emulator, resolveFaults, type EmulatorOptions, type FaultConfig } from "../emulator/index.ts"
import { Exit, exitWith } from "./exit.ts"
import type { EmulatorCliOptions } from "./options.ts"

/**
 * `billsync emulator`: run the Bill.com sandbox emulator in the foreground until Ctrl-C, printing
 * its base URLs and the credentials to use (emulator credentials are not secrets).
 */
export const run = (o: EmulatorCliOptions) =>
  Effect.gen(function* () {
    let faultConfig: FaultConfig = {}
    if (o.faults !== undefined) {
      const spec = o.faults
      faultConfig = yield* Effect.try(() => resolveFaults(spec)).pipe(
        Effect.catchAll((e) =>
          exitWith(Exit.usage, `billsync emulator: ${e.cause instanceof Error ? e.cause.message : String(e.cause)}`)
        )
      )
    }
    if (o.latency !== undefined) faultConfig = { ...faultConfig, latency: { fixedMs: o.latency } }
    const generate = Object.fromEntries(
      (["vendors", "bills", "customers", "items"] as const).flatMap((k) => (o[k] !== undefined ? [[k, o[k]]] : []))
    )
    const options: EmulatorOptions = {
      seed: o.seed,
      host: o.host,
      port: o.port,
      strict: o.strict,
      generate,
      faults: faultConfig,
      ...(o.sessionIdle !== undefined ? { sessionIdleMs: o.sessionIdle * 1000 } : {}),
      ...(o.rateLimit429 ? { limits: { rateLimitStatus: 429 } } : {})
    }
    yield* Effect.gen(function* () {
      const emulator = yield* Emulator
      const c = emulator.credentials
      const org = emulator.core.state.org
      yield* Console.log(
        [
          `Bill.com emulator (seed ${o.seed}${o.strict ? ", strict" : ""}) listening on ${emulator.origin}`,
          `  v3 base URL  ${emulator.v3BaseUrl}        (POST ${emulator.v3BaseUrl}/v3/login)`,
          `  v2 base URL  ${emulator.v2BaseUrl}`,
          ...(o.strict
            ? []
            : [
                `  control API  ${emulator.origin}/__emulator   (GET /counters, PUT /faults, POST /mutate, GET /snapshot)`
              ]),
          `  organization ${c.organizationId}  (${org.vendors.length} vendors, ${org.bills.length} bills, ${org.payments.length} payments)`,
          `  username     ${c.username}`,
          `  password     ${c.password}`,
          `  devKey       ${c.devKey}`,
          "Emulator credentials are not secrets. Press Ctrl-C to stop."
        ].join("\n")
      )
      return yield* Effect.never
    }).pipe(
      Effect.provide(Emulator.layer(options)),
      Effect.catchTag("EmulatorError", (e) => exitWith(Exit.problems, `billsync emulator: ${e.message}`))
    )
  })
