import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Redacted, Ref } from "effect"
import { BillcomError } from "../../src/billcom/errors.ts"
import { makeSessionManager, type LoginResult } from "../../src/billcom/session.ts"

/** A scripted login: each call takes the next outcome. */
const scripted = (outcomes: ReadonlyArray<"ok" | "transient" | "rejected">) =>
  Effect.map(Ref.make(0), (calls) => ({
    calls,
    login: Effect.gen(function* () {
      const n = yield* Ref.getAndUpdate(calls, (x) => x + 1)
      const outcome = outcomes[Math.min(n, outcomes.length - 1)]
      if (outcome === "transient") return yield* new BillcomError({ reason: "Transport", message: "connection reset" })
      if (outcome === "rejected")
        return yield* new BillcomError({ reason: "Credentials", code: "BDC_1101", message: "bad" })
      return {
        sessionId: Redacted.make(`s${n}`),
        organizationId: "o",
        userId: "u",
        trusted: false
      } satisfies LoginResult
    })
  }))

const manager = (login: Effect.Effect<LoginResult, BillcomError>, reauthMaxPerRun = 2) =>
  makeSessionManager({
    login,
    reauthMaxPerRun,
    idleRefresh: Duration.minutes(30),
    pipeline: "p",
    events: { onLogin: () => Effect.void }
  })

describe("session manager", () => {
  it.effect("a transient login failure is not cached: the next caller logs in", () =>
    Effect.gen(function* () {
      const { login, calls } = yield* scripted(["transient", "ok"])
      const sessions = yield* manager(login)
      expect((yield* Effect.flip(sessions.current)).reason).toBe("Transport")
      expect(Redacted.value((yield* sessions.current).sessionId)).toBe("s1")
      expect(yield* Ref.get(calls)).toBe(2)
    })
  )

  it.effect("a rejected login is final for the run: later callers fail without logging in again", () =>
    Effect.gen(function* () {
      const { login, calls } = yield* scripted(["rejected", "ok"])
      const sessions = yield* manager(login)
      expect((yield* Effect.flip(sessions.current)).reason).toBe("Credentials")
      expect((yield* Effect.flip(sessions.current)).reason).toBe("Credentials")
      expect(yield* Ref.get(calls)).toBe(1)
    })
  )

  it.effect("a stale generation does not log in twice; the cap counts real re-logins only", () =>
    Effect.gen(function* () {
      const { login, calls } = yield* scripted(["ok"])
      const sessions = yield* manager(login, 1)
      const old = yield* sessions.current
      // Two requests failed with the same old session: one re-login between them.
      yield* Effect.all([sessions.expired(old), sessions.expired(old)], { concurrency: "unbounded" })
      expect(yield* Ref.get(calls)).toBe(2)
      const fresh = yield* sessions.current
      expect(fresh.generation).toBe(old.generation + 1)
      const capped = yield* Effect.flip(sessions.expired(fresh))
      expect(capped.reason).toBe("ReauthCapReached")
      expect(capped.message).toContain("(1 per run)")
      expect(yield* Ref.get(calls)).toBe(2)
    })
  )
})
