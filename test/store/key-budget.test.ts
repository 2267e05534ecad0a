import { describe, it, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Clock, Duration, Effect, Exit, FiberRef, Layer, Redacted, Scope } from "effect"
import { expect } from "vitest"
import type { BillcomError } from "../../src/billcom/errors.ts"
import { KeyBudgets, type KeyLimits } from "../../src/billcom/budget.ts"
import { keyBudgetsLayer, keyHashOf, makeKeyBudgets } from "../../src/store/key-budget.ts"
import { DatabaseInfo } from "../../src/store/database.ts"
import { TestDatabase, testServerUrl } from "../support/database.ts"
import { slowProxy } from "../support/slow-proxy.ts"

const HOUR_MS = 3_600_000
const devKey = Redacted.make("dev-key-shared-by-many")

/**
 * A clock for the hourly budgets: virtual time that a sleep moves forward to when the sleeper would
 * wake (the time it last read plus the duration), so "wait for the next clock hour" happens at
 * once and deterministically, however many fibers wait.
 */
const virtualClock = (start: number) => {
  let now = start
  const lastRead = FiberRef.unsafeMake(start)
  const read = Effect.tap(
    Effect.sync(() => now),
    (t) => FiberRef.set(lastRead, t)
  )
  const clock: Clock.Clock = {
    ...Clock.make(),
    unsafeCurrentTimeMillis: () => now,
    currentTimeMillis: read,
    unsafeCurrentTimeNanos: () => BigInt(now) * 1_000_000n,
    currentTimeNanos: Effect.map(read, (t) => BigInt(t) * 1_000_000n),
    sleep: (d) =>
      Effect.flatMap(FiberRef.get(lastRead), (t) => {
        now = Math.max(now, t + Duration.toMillis(d))
        return Effect.yieldNow()
      })
  }
  return clock
}

const budgets = (limits: KeyLimits) => makeKeyBudgets(limits)

/** `processes` handles on one key (as many runs / workers would have), each running `perProcess` reservers of `each` holds. */
const race = <E>(
  handles: ReadonlyArray<{
    hold: (kind: "request" | "login", e: Effect.Effect<void>) => Effect.Effect<void, E | BillcomError>
  }>,
  perHandle: number,
  each: number,
  kind: "request" | "login",
  body: Effect.Effect<void>
) =>
  Effect.all(
    handles.flatMap((h) =>
      Array.from({ length: perHandle }, () =>
        Effect.forEach(Array.from({ length: each }), () => Effect.either(h.hold(kind, body)), { concurrency: 1 })
      )
    ),
    { concurrency: "unbounded" }
  ).pipe(Effect.map((xs) => xs.flat()))

layer(TestDatabase, { timeout: "120 seconds", excludeTestServices: true })(
  "shared Bill.com budget of a developer key (Postgres)",
  (it) => {
    it.scoped("many reservers on one key + organisation: never more than 3 in flight, and every one is served", () =>
      Effect.gen(function* () {
        const service = yield* budgets({ requestsPerHour: 20_000, loginsPerHour: 200, inFlightPerOrganization: 3 })
        const opts = { devKey, maxWait: Duration.minutes(5), lease: Duration.seconds(30) }
        // Four "processes" on organisation A, two on organisation B (its own 3 slots).
        const onA = yield* Effect.all(
          Array.from({ length: 4 }, () => service.forKey({ ...opts, organizationId: "org-A" }))
        )
        const onB = yield* Effect.all(
          Array.from({ length: 2 }, () => service.forKey({ ...opts, organizationId: "org-B" }))
        )
        const inFlight = { A: 0, B: 0 }
        const peak = { A: 0, B: 0 }
        const body = (org: "A" | "B") =>
          Effect.gen(function* () {
            inFlight[org]++
            peak[org] = Math.max(peak[org], inFlight[org])
            yield* Effect.sleep(Duration.millis(3)) // a request's latency
            inFlight[org]--
          })
        const [a, b] = yield* Effect.all(
          [race(onA, 6, 5, "request", body("A")), race(onB, 6, 5, "request", body("B"))],
          { concurrency: 2 }
        )
        expect(a.filter((r) => r._tag === "Right")).toHaveLength(4 * 6 * 5)
        expect(b.filter((r) => r._tag === "Right")).toHaveLength(2 * 6 * 5)
        expect(peak.A).toBeLessThanOrEqual(3)
        expect(peak.B).toBeLessThanOrEqual(3)
        // The budget was used, not serialised: several requests of one organisation did run at once.
        expect(peak.A).toBeGreaterThan(1)
        // Every slot is given back.
        const sql = yield* SqlClient.SqlClient
        const held = yield* sql<{
          n: number
        }>`SELECT count(*)::int AS n FROM billcom_key_slots WHERE holder IS NOT NULL`
        expect(held[0]!.n).toBe(0)
      })
    )

    it.scoped(
      "racing reservers get exactly the hour's requests: never over; the others wait for the next hour and are all served",
      () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const key = Redacted.make("dev-key-hourly")
          const service = yield* budgets({ requestsPerHour: 25, loginsPerHour: 200, inFlightPerOrganization: 3 })
          const hour = 500_000
          const clock = virtualClock(hour * HOUR_MS + HOUR_MS - 60_000) // one minute before the hour turns
          const handles = yield* Effect.all(
            Array.from({ length: 5 }, (_, i) =>
              service.forKey({
                devKey: key,
                organizationId: `org-${i % 2}`,
                maxWait: Duration.minutes(5),
                lease: Duration.seconds(30)
              })
            )
          )
          const results = yield* race(handles, 2, 5, "request", Effect.void).pipe(Effect.withClock(clock))
          expect(results.filter((r) => r._tag === "Right")).toHaveLength(50)
          const salt = (yield* sql<{ salt: string }>`SELECT salt FROM billcom_key_salt`)[0]!.salt
          const rows = yield* sql<{
            hour: string
            requests: number
          }>`SELECT hour::text, requests FROM billcom_key_hours WHERE key_hash = ${keyHashOf(salt, key)} ORDER BY hour`
          expect(rows).toEqual([
            { hour: String(hour), requests: 25 },
            { hour: String(hour + 1), requests: 25 }
          ])
        })
    )

    it.scoped(
      "a spent hour too far from its end fails with 'resumes at HH:00' instead of sending: exactly the budget goes out",
      () =>
        Effect.gen(function* () {
          const service = yield* budgets({ requestsPerHour: 20, loginsPerHour: 200, inFlightPerOrganization: 3 })
          const clock = virtualClock(600_000 * HOUR_MS + 13 * HOUR_MS + 20 * 60_000) // 13:20 UTC
          const handles = yield* Effect.all(
            Array.from({ length: 4 }, () =>
              service.forKey({
                devKey: Redacted.make("dev-key-far"),
                organizationId: "org",
                maxWait: Duration.minutes(5),
                lease: Duration.seconds(30)
              })
            )
          )
          let sent = 0
          const results = yield* race(
            handles,
            3,
            4,
            "request",
            Effect.sync(() => void sent++)
          ).pipe(Effect.withClock(clock))
          expect(sent).toBe(20)
          const refused = results.flatMap((r) => (r._tag === "Left" ? [r.left as BillcomError] : []))
          expect(refused).toHaveLength(4 * 3 * 4 - 20)
          expect(new Set(refused.map((e) => e.message))).toEqual(
            new Set(["hourly request budget of Bill.com exhausted; resumes at 14:00 UTC"])
          )
        })
    )

    it.scoped("logins have their own hourly budget per key, across organisations", () =>
      Effect.gen(function* () {
        const service = yield* budgets({ requestsPerHour: 20_000, loginsPerHour: 6, inFlightPerOrganization: 3 })
        const clock = virtualClock(700_000 * HOUR_MS + 10 * 60_000)
        const handles = yield* Effect.all(
          Array.from({ length: 10 }, (_, i) =>
            service.forKey({
              devKey: Redacted.make("dev-key-logins"),
              organizationId: `org-${i}`,
              maxWait: Duration.minutes(5),
              lease: Duration.seconds(30)
            })
          )
        )
        let logins = 0
        const results = yield* race(
          handles,
          1,
          1,
          "login",
          Effect.sync(() => void logins++)
        ).pipe(Effect.withClock(clock))
        expect(logins).toBe(6)
        const refused = results.flatMap((r) => (r._tag === "Left" ? [(r.left as BillcomError).message] : []))
        expect(refused).toHaveLength(4)
        expect(refused[0]).toContain("hourly login budget of Bill.com (6 per developer key) spent; resumes at")
        // Requests still go out: the login budget is not the request budget.
        const ok = yield* Effect.either(handles[0]!.hold("request", Effect.void)).pipe(Effect.withClock(clock))
        expect(ok._tag).toBe("Right")
      })
    )

    it.scoped("a slot whose holder died is free again when its lease ends", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const service = yield* budgets({ requestsPerHour: 20_000, loginsPerHour: 200, inFlightPerOrganization: 3 })
        const handle = yield* service.forKey({
          devKey: Redacted.make("dev-key-dead"),
          organizationId: "org",
          maxWait: Duration.minutes(5),
          lease: Duration.seconds(30)
        })
        // A killed process: three slots leased, never given back, the leases already run out.
        yield* sql`UPDATE billcom_key_slots SET holder = 'dead', held_until = clock_timestamp() - interval '1 second' WHERE organization_id = 'org'`
        const ok = yield* handle.hold("request", Effect.succeed("sent"))
        expect(ok).toBe("sent")
      })
    )

    it.scoped(
      "listens for freed slots on a connection of its own while the budgets live, and closes it with them",
      () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          // The embedded database (PGlite) has one connection: the budgets are not used on it (keyBudgetsFor).
          if ((yield* DatabaseInfo).embedded) return
          const listening = sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND query = 'LISTEN billsync_key_slots'`.pipe(Effect.map((r) => r[0]!.n))
          const scope = yield* Scope.make()
          yield* Scope.extend(
            budgets({ requestsPerHour: 20_000, loginsPerHour: 200, inFlightPerOrganization: 3 }),
            scope
          )
          const deadline = Date.now() + 10_000
          while ((yield* listening) === 0 && Date.now() < deadline) yield* Effect.sleep("50 millis")
          expect(yield* listening).toBe(1)
          yield* Scope.close(scope, Exit.void)
          const gone = Date.now() + 10_000
          while ((yield* listening) > 0 && Date.now() < gone) yield* Effect.sleep("50 millis")
          expect(yield* listening).toBe(0)
        })
    )

    it.scoped("the developer key is stored only as an HMAC under this database's salt", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const service = yield* budgets({ requestsPerHour: 20_000, loginsPerHour: 200, inFlightPerOrganization: 3 })
        const secret = "dev-key-never-stored-0123456789"
        const handle = yield* service.forKey({
          devKey: Redacted.make(secret),
          organizationId: "org-secret",
          maxWait: Duration.minutes(5),
          lease: Duration.seconds(30)
        })
        yield* handle.hold("request", Effect.void)
        const dump = yield* sql<{
          row: string
        }>`SELECT row_to_json(t)::text AS row FROM (SELECT key_hash, hour::text FROM billcom_key_hours UNION ALL SELECT key_hash, organization_id FROM billcom_key_slots) t`
        expect(dump.length).toBeGreaterThan(0)
        expect(dump.some((r) => r.row.includes(secret))).toBe(false)
        expect(KeyBudgets.key).toBe("billsync/KeyBudgets")
      })
    )
  }
)

describe.skipIf(testServerUrl() === undefined)("shared Bill.com budget: its LISTEN connection", () => {
  it.live(
    "closed while its LISTEN connection is still being opened, the budgets leave no connection open (a command would never exit)",
    () =>
      Effect.gen(function* () {
        const proxy = yield* slowProxy(testServerUrl()!, 1500)
        const scope = yield* Scope.make()
        // The pool's first connection (PgClient checks it) is slow too; then the budgets start listening.
        yield* Layer.buildWithScope(
          keyBudgetsLayer().pipe(
            Layer.provide(
              PgClient.layer({ url: Redacted.make(proxy.url), maxConnections: 2, connectTimeout: "10 seconds" })
            )
          ),
          scope
        )
        yield* Effect.sleep("200 millis") // the LISTEN connection is on its way (1.5 s)
        yield* Scope.close(scope, Exit.void)
        // Every connection closes: the pool's at once, the listener's as soon as it is connected.
        const deadline = Date.now() + 5000
        while (proxy.open() > 0 && Date.now() < deadline) yield* Effect.sleep("50 millis")
        expect(proxy.open()).toBe(0)
      }).pipe(Effect.scoped),
    30_000
  )
})
