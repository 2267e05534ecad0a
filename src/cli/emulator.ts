import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { Emulator, resolveFaults, type EmulatorOptions, type FaultConfig } from "../emulator/index.ts"
import { ExitCode, Exit } from "./exit.ts"

/**
 * `billsync emulator`: run the Bill.com sandbox emulator in the foreground until Ctrl-C, printing
 * its base URLs and the credentials to use (emulator credentials are not secrets).
 */
const port = Options.integer("port").pipe(Options.withDefault(4010), Options.withDescription("Port to listen on (0 = any free port)"))
const host = Options.text("host").pipe(Options.withDefault("127.0.0.1"), Options.withDescription("Interface to bind"))
const seed = Options.text("seed").pipe(Options.withDefault("demo"), Options.withDescription("Organisation seed; 'demo' is the fixed demo organisation"))
const size = (name: string, what: string) => Options.integer(name).pipe(Options.optional, Options.withDescription(`Number of ${what} to generate`))
const latency = Options.integer("latency").pipe(Options.optional, Options.withDescription("Fixed latency per request, in milliseconds"))
const faults = Options.text("faults").pipe(Options.optional, Options.withDescription("Fault profile (none, flaky, chaos, slow, rate-limited) or a JSON fault config"))
const strict = Options.boolean("strict").pipe(Options.withDescription("Disable the /__emulator control API"))
const sessionIdle = Options.integer("session-idle").pipe(Options.optional, Options.withDescription("Idle session lifetime in seconds (default 2100 = 35 minutes)"))
const status429 = Options.boolean("rate-limit-429").pipe(Options.withDescription("Answer BDC_1144/BDC_1322 with HTTP 429 instead of 422"))

export const emulatorCommand = Command.make(
  "emulator",
  {
    port,
    host,
    seed,
    vendors: size("vendors", "vendors"),
    bills: size("bills", "bills"),
    customers: size("customers", "customers"),
    items: size("items", "items"),
    latency,
    faults,
    strict,
    sessionIdle,
    status429
  },
  (o) =>
    Effect.gen(function* () {
      let faultConfig: FaultConfig = {}
      if (Option.isSome(o.faults)) {
        const spec = o.faults.value
        faultConfig = yield* Effect.try(() => resolveFaults(spec)).pipe(
          Effect.tapError((e) => Console.error(`billsync emulator: ${e.cause instanceof Error ? e.cause.message : String(e.cause)}`)),
          Effect.mapError(() => new ExitCode({ code: Exit.usage }))
        )
      }
      if (Option.isSome(o.latency)) faultConfig = { ...faultConfig, latency: { fixedMs: o.latency.value } }
      const generate = Object.fromEntries(
        (["vendors", "bills", "customers", "items"] as const).flatMap((k) => (Option.isSome(o[k]) ? [[k, o[k].value]] : []))
      )
      const options: EmulatorOptions = {
        seed: o.seed,
        host: o.host,
        port: o.port,
        strict: o.strict,
        generate,
        faults: faultConfig,
        ...(Option.isSome(o.sessionIdle) ? { sessionIdleMs: o.sessionIdle.value * 1000 } : {}),
        ...(o.status429 ? { limits: { rateLimitStatus: 429 } } : {})
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
            ...(o.strict ? [] : [`  control API  ${emulator.origin}/__emulator   (GET /counters, PUT /faults, POST /mutate, GET /snapshot)`]),
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
        Effect.catchTag("EmulatorError", (e) => Console.error(`billsync emulator: ${e.message}`).pipe(Effect.zipRight(Effect.fail(new ExitCode({ code: Exit.problems })))))
      )
    })
).pipe(Command.withDescription("Run the built-in Bill.com sandbox emulator (v3 + legacy v2) until Ctrl-C"))
