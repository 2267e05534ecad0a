import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Logger, LogLevel, Option, Stream, Tracer, type Context } from "effect"
import { inspect } from "node:util"
import { BillcomClient } from "../../src/billcom/client.ts"
import { BillcomWriter } from "../../src/billcom/writer.ts"
import { Emulator } from "../../src/emulator/index.ts"
import { clientLayer } from "./support.ts"

/** Everything observable about a run, as text: log lines (all levels), span names/attributes/events/exits. */
const captured: Array<string> = []
const dump = (u: unknown) => (typeof u === "string" ? u : inspect(u, { depth: 12, breakLength: Infinity }))

const recordingLogger = Logger.make(({ message, annotations, cause, logLevel }) => {
  captured.push(
    `${logLevel.label} ${dump(message)} ${dump([...annotations])} ${Cause.isEmpty(cause) ? "" : Cause.pretty(cause)}`
  )
})

class RecordingSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId = Math.random().toString(16).slice(2)
  readonly traceId: string
  readonly sampled = true
  status: Tracer.SpanStatus
  readonly attributes = new Map<string, unknown>()
  links: Array<Tracer.SpanLink>
  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind
  ) {
    this.traceId = Option.isSome(parent) ? parent.value.traceId : "trace"
    this.status = { _tag: "Started", startTime }
    this.links = [...links]
    captured.push(`span ${name}`)
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>) {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
    captured.push(`span end ${this.name} ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "ok"}`)
  }
  attribute(key: string, value: unknown) {
    this.attributes.set(key, value)
    captured.push(`attr ${this.name} ${key}=${dump(value)}`)
  }
  event(name: string, _startTime: bigint, attributes?: Record<string, unknown>) {
    captured.push(`event ${this.name} ${name} ${dump(attributes)}`)
  }
  addLinks(links: ReadonlyArray<Tracer.SpanLink>) {
    this.links.push(...links)
  }
}

const recordingTracer = Tracer.make({
  span: (name, parent, context, links, startTime, kind, options) => {
    const span = new RecordingSpan(name, parent, context, links, startTime, kind)
    for (const [k, v] of Object.entries(options?.attributes ?? {})) span.attribute(k, v)
    return span
  },
  context: (f) => f()
})

describe("secrets", () => {
  it.live("devKey, password and sessionIds never appear in logs, spans or errors of a run with faults", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const sessionIds: Array<string> = []
      const sessions = emulator.core.sessions
      const create = sessions.create.bind(sessions)
      sessions.create = (...args) => {
        const s = create(...args)
        sessionIds.push(s.id)
        return s
      }
      const client = yield* BillcomClient
      const writer = yield* BillcomWriter
      const errors: Array<unknown> = []
      const keep = <A, E>(effect: Effect.Effect<A, E>) =>
        effect.pipe(
          Effect.tapError((e) => Effect.sync(() => errors.push(e))),
          Effect.either
        )

      for (const name of ["vendors", "bills", "payments", "chart-of-accounts"] as const)
        yield* keep(Stream.runDrain(client.list(name)))
      yield* keep(client.billApproval("00n02NOSUCHBILL00000"))
      yield* keep(client.chartOfAccount("0ca02NOSUCHCOA000000"))
      yield* keep(writer.createChartOfAccount({ name: "", account: { type: "NOT_A_TYPE" } }))
      yield* keep(Stream.runDrain(client.list("bills", { filters: ["bogus:eq:1"] })))
      // Drive the session past its re-auth cap so that error is captured too.
      yield* emulator.setFaults({ invalidateSessionEvery: 1 })
      yield* keep(Stream.runDrain(client.list("vendors")))

      expect(sessionIds.length).toBeGreaterThan(2)
      expect(errors.length).toBeGreaterThanOrEqual(4)
      const text = [...captured, ...errors.flatMap((e) => [dump(e), String(e), JSON.stringify(e)])].join("\n")
      expect(captured.some((l) => l.startsWith("attr"))).toBe(true) // spans were recorded
      expect(captured.some((l) => l.includes("logging in again"))).toBe(true) // logs were recorded
      const secrets = [emulator.credentials.devKey, emulator.credentials.password, ...sessionIds]
      for (const secret of secrets)
        expect(text.includes(secret), `a secret leaked (${secret.slice(0, 3)}…)`).toBe(false)
    }).pipe(
      Effect.provide(
        clientLayer({ reauthMaxPerRun: 4 }).pipe(
          Layer.provideMerge(
            Emulator.layer({
              seed: "client-secrets",
              generate: { bills: 350, vendors: 50 },
              faults: {
                seed: "s",
                serverErrorRate: 0.1,
                resetRate: 0.05,
                truncateRate: 0.05,
                invalidateSessionEvery: 6,
                rateLimitBurst: { rate: 0.05, length: 2 }
              }
            })
          )
        )
      ),
      Effect.provide(Logger.replace(Logger.defaultLogger, recordingLogger)),
      Logger.withMinimumLogLevel(LogLevel.All),
      Effect.withTracer(recordingTracer)
    )
  )
})
