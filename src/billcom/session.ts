import { Clock, Duration, Effect, Option, Redacted, Ref, SynchronizedRef } from "effect"
import { BillcomError, reauthCapAdvice } from "./errors.ts"

/** What a login returns (ids are not secrets; the sessionId is). */
export interface LoginResult {
  readonly sessionId: Redacted.Redacted<string>
  readonly organizationId: string
  readonly userId: string
  readonly trusted: boolean
}

/** A session as a request sees it: the generation lets a failed request tell whether someone already re-logged in. */
export interface SessionTicket {
  readonly generation: number
  readonly sessionId: Redacted.Redacted<string>
}

export interface SessionManager {
  /** The current session; logs in first when there is none or it has idled past `idleRefresh`. */
  readonly current: Effect.Effect<SessionTicket, BillcomError>
  /** The request with `ticket` got an invalid-session answer: log in again unless someone already did (capped). */
  readonly expired: (ticket: SessionTicket) => Effect.Effect<void, BillcomError>
  /** A call succeeded: Bill.com's idle timer restarted. */
  readonly touch: Effect.Effect<void>
  readonly info: Effect.Effect<LoginResult, BillcomError>
  /** The run is over: hand out the live session (to log it out) and forget it; none when no login succeeded. */
  readonly end: Effect.Effect<Option.Option<LoginResult>>
}

interface State {
  readonly generation: number
  readonly session: Option.Option<LoginResult>
  readonly reauths: number
}

export interface SessionEvents {
  readonly onLogin: (kind: "initial" | "reauth" | "idle") => Effect.Effect<void>
}

/**
 * Single-flight session handling. All transitions run inside one SynchronizedRef, so N fibers that
 * need a session while none exists wait for ONE login; a fiber whose request failed with an older
 * generation just retries with the newer session instead of logging in a second time.
 */
export const makeSessionManager = (options: {
  readonly login: Effect.Effect<LoginResult, BillcomError>
  readonly reauthMaxPerRun: number
  readonly idleRefresh: Duration.Duration
  readonly pipeline?: string | undefined
  readonly events: SessionEvents
}): Effect.Effect<SessionManager> =>
  Effect.gen(function* () {
    const state = yield* SynchronizedRef.make<State>({ generation: 0, session: Option.none(), reauths: 0 })
    // A rejected login (wrong credentials) is final for the run; transient login failures are not
    // remembered (the next caller tries again). A separate Ref: it is set while `state` is locked.
    const rejected = yield* Ref.make(Option.none<BillcomError>())
    const lastUsed = yield* Ref.make(0)
    const idleMs = Duration.toMillis(options.idleRefresh)

    const loginInto = (s: State, kind: "initial" | "reauth" | "idle") =>
      options.login.pipe(
        Effect.tapError((error) =>
          error.reason === "Credentials" ? Ref.set(rejected, Option.some(error)) : Effect.void
        ),
        Effect.tap(() => Clock.currentTimeMillis.pipe(Effect.flatMap((now) => Ref.set(lastUsed, now)))),
        Effect.tap(() => options.events.onLogin(kind)),
        Effect.map(
          (session): State => ({
            ...s,
            generation: s.generation + 1,
            session: Option.some(session),
            reauths: s.reauths + (kind === "reauth" ? 1 : 0)
          })
        )
      )

    const ticketOf = (s: State): SessionTicket => {
      const session = Option.getOrThrow(s.session)
      return { generation: s.generation, sessionId: session.sessionId }
    }

    const current: Effect.Effect<SessionTicket, BillcomError> = Effect.gen(function* () {
      // Fast path without the lock: a live, recently used session.
      const now = yield* Clock.currentTimeMillis
      const s = yield* SynchronizedRef.get(state)
      const used = yield* Ref.get(lastUsed)
      if (Option.isSome(s.session) && now - used < idleMs) return ticketOf(s)
      return yield* SynchronizedRef.modifyEffect(state, (s) =>
        Effect.gen(function* () {
          const rejection = yield* Ref.get(rejected)
          if (Option.isSome(rejection)) return yield* Effect.fail(rejection.value)
          const now = yield* Clock.currentTimeMillis
          const used = yield* Ref.get(lastUsed)
          if (Option.isSome(s.session) && now - used < idleMs) return [ticketOf(s), s] as const
          const kind = Option.isNone(s.session) ? "initial" : "idle"
          if (kind === "idle") yield* Effect.logInfo("Bill.com session idle; logging in again before it expires")
          const next = yield* loginInto(s, kind)
          return [ticketOf(next), next] as const
        })
      )
    })

    const expired = (ticket: SessionTicket) =>
      SynchronizedRef.updateEffect(state, (s) =>
        Effect.gen(function* () {
          if (s.generation !== ticket.generation) return s // another fiber already logged in again
          const rejection = yield* Ref.get(rejected)
          if (Option.isSome(rejection)) return yield* Effect.fail(rejection.value)
          if (s.reauths >= options.reauthMaxPerRun) {
            const advice = reauthCapAdvice(options.reauthMaxPerRun, options.pipeline)
            return yield* Effect.fail(
              new BillcomError({ reason: "ReauthCapReached", code: "BDC_1109", message: advice, advice })
            )
          }
          yield* Effect.logWarning("Bill.com session expired; logging in again").pipe(
            Effect.annotateLogs({ reauth: s.reauths + 1, cap: options.reauthMaxPerRun })
          )
          return yield* loginInto({ ...s, session: Option.none() }, "reauth")
        })
      )

    return {
      current,
      expired,
      touch: Clock.currentTimeMillis.pipe(Effect.flatMap((now) => Ref.update(lastUsed, (prev) => Math.max(prev, now)))),
      info: Effect.gen(function* () {
        yield* current
        const s = yield* SynchronizedRef.get(state)
        return Option.getOrThrow(s.session)
      }),
      end: SynchronizedRef.modify(state, (s) => [s.session, { ...s, session: Option.none() }] as const)
    }
  })
