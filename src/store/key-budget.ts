import { SqlClient, type SqlError } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Clock, Config, Deferred, Duration, Effect, Exit, FiberId, Layer, Option, Random, Redacted } from "effect"
import { createHmac, randomBytes } from "node:crypto"
import pg from "pg"
import {
  KEY_LIMITS,
  KeyBudgets,
  loginBudgetError,
  type BudgetKind,
  type KeyBudget,
  type KeyLimits
} from "../billcom/budget.ts"
import { BillcomError } from "../billcom/errors.ts"
import { hourlyBudgetError } from "../billcom/limiter.ts"
import type { DatabaseTarget } from "./database.ts"

const HOUR_MS = 3_600_000

/**
 * Waiting for a free in-flight slot: woken when a slot of the key + organisation is given back (in
 * this process directly, in others by NOTIFY on this channel), else a jittered poll from 20 ms up
 * to SLOT_POLL_MAX_MS (a slot whose holder died frees when its lease ends, with no notification).
 */
const SLOT_CHANNEL = "billsync_key_slots"
const SLOT_POLL_MAX_MS = 1000

/**
 * The developer key's stored identity: HMAC-SHA-256 of the key under this database's random salt
 * (created once, by whichever process gets there first). The key itself is never stored.
 */
export const keyHashOf = (salt: string, devKey: Redacted.Redacted<string>) =>
  createHmac("sha256", salt).update(Redacted.value(devKey)).digest("hex")

const storeFailure = (cause: SqlError.SqlError) =>
  new BillcomError({
    reason: "Transport",
    message: `could not reserve Bill.com's request budget in the ledger's database: ${cause.message}`,
    advice:
      "The budget of a developer key is shared through the ledger's Postgres (DATABASE_URL); check that the database is reachable and re-run."
  })

/**
 * LISTEN on SLOT_CHANNEL over a connection of its own, calling `onFreed` with each payload until
 * the connection is lost (fails) or the fiber is interrupted (the connection is closed).
 *
 * Not @effect/sql-pg's `listen`: it takes its LISTEN client from an RcRef, and effect 3.22's
 * RcRef.get, interrupted while that client is connecting (uninterruptibly), leaves the connected
 * client in a scope nobody closes (Effect-TS/effect#7109). The budgets are closed with the command,
 * so a command done within moments — `apply coa` of a plan already applied — on a server slow to
 * accept a connection kept an open socket, and its process never exited (issue 17). Here the client
 * exists, and ending it is a finalizer, before it connects: interrupted at any point, it is closed.
 */
const listenForFreedSlots = (config: PgClient.PgClientConfig, onFreed: (payload: string) => void) =>
  Effect.gen(function* () {
    const client = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new pg.Client({
            connectionString: config.url !== undefined ? Redacted.value(config.url) : undefined,
            host: config.host,
            port: config.port,
            database: config.database,
            user: config.username,
            password: config.password !== undefined ? Redacted.value(config.password) : undefined,
            ssl: config.ssl,
            ...(config.stream !== undefined ? { stream: config.stream } : {}),
            connectionTimeoutMillis:
              config.connectTimeout !== undefined ? Duration.toMillis(config.connectTimeout) : undefined,
            application_name: config.applicationName
          })
      ),
      // end() on a client still connecting closes its socket too; the wait for the goodbye is bounded.
      (client) => Effect.promise(() => client.end()).pipe(Effect.timeoutOption(1000))
    )
    // Handlers before connecting: an error event is never left unhandled (it would crash the process).
    const lost = Deferred.unsafeMake<never, Error>(FiberId.none)
    client.on("error", (error) => Deferred.unsafeDone(lost, Exit.fail(error)))
    client.on("end", () => Deferred.unsafeDone(lost, Exit.fail(new Error("the listening connection ended"))))
    client.on("notification", (message) => {
      if (message.channel === SLOT_CHANNEL && message.payload) onFreed(message.payload)
    })
    yield* Effect.tryPromise(() => client.connect())
    yield* Effect.tryPromise(() => client.query(`LISTEN ${SLOT_CHANNEL}`))
    return yield* Deferred.await(lost)
  }).pipe(Effect.scoped)

/**
 * KeyBudgets in Postgres: every reservation is one atomic statement, so any number of processes
 * on any number of machines share a key's budget without ever going over it.
 *  - requests/logins of a clock hour: an upsert that adds 1 only while under the limit;
 *  - in-flight slots: a leased row taken with FOR UPDATE SKIP LOCKED and given back after the
 *    request; a holder killed mid-request frees it when its lease (request timeout + 1 s) ends.
 * The hour is the caller's clock hour (Bill.com's window is the fixed clock hour, §7).
 */
export const makeKeyBudgets = (limits: KeyLimits = KEY_LIMITS) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    // Waiters of each key + organisation ("<key hash>:<organisation>"), woken together when a slot frees.
    const waiters = new Map<string, Deferred.Deferred<void>>()
    const signalOf = (id: string) => {
      let d = waiters.get(id)
      if (d === undefined) {
        d = Deferred.unsafeMake<void>(FiberId.none)
        waiters.set(id, d)
      }
      return d
    }
    const wake = (id: string) => {
      const d = waiters.get(id)
      if (d === undefined) return
      waiters.delete(id)
      Deferred.unsafeDone(d, Exit.void)
    }
    // Slots given back by other processes: LISTEN on a server (best effort: without it, waiters poll).
    const server = yield* Effect.serviceOption(PgClient.PgClient)
    if (Option.isSome(server))
      yield* listenForFreedSlots(server.value.config, wake).pipe(
        Effect.catchAllCause((cause) =>
          Effect.logDebug("listening for freed Bill.com slots stopped; waiters poll", cause)
        ),
        Effect.forkScoped
      )

    const salt = yield* Effect.cached(
      Effect.gen(function* () {
        yield* sql`INSERT INTO billcom_key_salt (salt) VALUES (${randomBytes(32).toString("hex")}) ON CONFLICT (singleton) DO NOTHING`
        const rows = yield* sql<{ salt: string }>`SELECT salt FROM billcom_key_salt`
        return rows[0]!.salt
      })
    )

    const forKey = (input: {
      readonly devKey: Redacted.Redacted<string>
      readonly organizationId: string
      readonly maxWait: Duration.Duration
      readonly lease: Duration.Duration
    }): Effect.Effect<KeyBudget> =>
      Effect.gen(function* () {
        const key = keyHashOf(yield* salt, input.devKey)
        const org = input.organizationId
        const slots = limits.inFlightPerOrganization
        const leaseMs = Math.max(1000, Math.round(Duration.toMillis(input.lease)))
        const maxWaitMs = Duration.toMillis(input.maxWait)
        yield* sql`INSERT INTO billcom_key_slots (key_hash, organization_id, slot)
                   SELECT ${key}, ${org}, s FROM generate_series(0, ${slots - 1}) AS s
                   ON CONFLICT DO NOTHING`

        /** One request (a login: and one login) of `hour`, if the hour has them left. */
        const countIn = (kind: BudgetKind, hour: number) =>
          Effect.map(
            sql<{ requests: number }>`INSERT INTO billcom_key_hours AS h (key_hash, hour, requests, logins)
              VALUES (${key}, ${hour}, 1, ${kind === "login" ? 1 : 0})
              ON CONFLICT (key_hash, hour) DO UPDATE SET requests = h.requests + 1, logins = h.logins + EXCLUDED.logins
              WHERE h.requests < ${limits.requestsPerHour} AND (EXCLUDED.logins = 0 OR h.logins < ${limits.loginsPerHour})
              RETURNING h.requests`,
            (rows) => rows.length > 0
          )

        /** Which budget stopped `kind` this hour (for the message). */
        const loginsSpent = (hour: number) =>
          Effect.map(
            sql<{ logins: number }>`SELECT logins FROM billcom_key_hours WHERE key_hash = ${key} AND hour = ${hour}`,
            (rows) => (rows[0]?.logins ?? 0) >= limits.loginsPerHour
          )

        const count = (kind: BudgetKind): Effect.Effect<void, BillcomError | SqlError.SqlError> =>
          Effect.gen(function* () {
            const now = yield* Clock.currentTimeMillis
            const hour = Math.floor(now / HOUR_MS)
            if (yield* countIn(kind, hour)) return
            const resumeAt = (hour + 1) * HOUR_MS
            const logins = kind === "login" && (yield* loginsSpent(hour))
            if (resumeAt - now > maxWaitMs)
              return yield* logins ? loginBudgetError(resumeAt, limits.loginsPerHour) : hourlyBudgetError(resumeAt)
            yield* Effect.logWarning(
              `Bill.com hourly ${logins ? "login" : "request"} budget of the developer key spent (shared with other processes); waiting for the next clock hour`
            ).pipe(Effect.annotateLogs({ resumeAt: new Date(resumeAt).toISOString() }))
            yield* Effect.sleep(Duration.millis(resumeAt - now))
            return yield* count(kind)
          })

        const tryTake = (holder: string) =>
          Effect.map(
            // A scalar subquery (evaluated once): as a joined FROM item the planner may rescan it and take every free slot.
            sql<{
              slot: number
            }>`UPDATE billcom_key_slots SET holder = ${holder}, held_until = clock_timestamp() + make_interval(secs => ${leaseMs / 1000})
              WHERE key_hash = ${key} AND organization_id = ${org} AND slot = (
                SELECT slot FROM billcom_key_slots
                WHERE key_hash = ${key} AND organization_id = ${org} AND slot < ${slots}
                  AND (holder IS NULL OR held_until < clock_timestamp())
                ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
              RETURNING slot`,
            (rows) => rows[0]?.slot
          )

        const id = `${key}:${org}`
        const take = (holder: string, attempt = 0): Effect.Effect<number, SqlError.SqlError> =>
          Effect.suspend(() => {
            const freed = signalOf(id) // before trying: a slot given back in between still wakes us
            return Effect.flatMap(tryTake(holder), (slot) =>
              slot !== undefined
                ? Effect.succeed(slot)
                : Effect.flatMap(Random.next, (u) => {
                    const d = Math.min(SLOT_POLL_MAX_MS, 20 * Math.pow(1.5, attempt))
                    return Effect.zipRight(
                      Effect.race(
                        Deferred.await(freed),
                        Effect.sleep(Duration.millis(Math.round(d / 2 + (d / 2) * u)))
                      ),
                      take(holder, attempt + 1)
                    )
                  })
            )
          })

        const give = (holder: string, slot: number) =>
          sql`WITH freed AS (UPDATE billcom_key_slots SET holder = NULL, held_until = NULL
                WHERE key_hash = ${key} AND organization_id = ${org} AND slot = ${slot} AND holder = ${holder} RETURNING 1)
              SELECT pg_notify(${SLOT_CHANNEL}, ${id}) FROM freed`.pipe(
            Effect.ignore,
            Effect.zipRight(Effect.sync(() => wake(id)))
          )

        // Counted first, then a slot: a request waiting for the next hour holds no slot (its lease would run out).
        const hold = <A, E, R>(
          kind: BudgetKind,
          effect: Effect.Effect<A, E, R>
        ): Effect.Effect<A, E | BillcomError, R> =>
          Effect.zipRight(
            count(kind).pipe(Effect.catchTag("SqlError", (e) => Effect.fail(storeFailure(e)))),
            Effect.acquireUseRelease(
              Effect.flatMap(Random.nextInt, (n) => {
                const holder = `${process.pid}-${n.toString(36)}`
                return Effect.map(take(holder), (slot) => ({ holder, slot }))
              }).pipe(Effect.mapError(storeFailure)),
              () => effect,
              ({ holder, slot }) => give(holder, slot)
            )
          )

        const exhaustHour = (kind: BudgetKind) =>
          Effect.gen(function* () {
            const hour = Math.floor((yield* Clock.currentTimeMillis) / HOUR_MS)
            yield* kind === "login"
              ? sql`INSERT INTO billcom_key_hours AS h (key_hash, hour, logins) VALUES (${key}, ${hour}, ${limits.loginsPerHour})
                    ON CONFLICT (key_hash, hour) DO UPDATE SET logins = GREATEST(h.logins, EXCLUDED.logins)`
              : sql`INSERT INTO billcom_key_hours AS h (key_hash, hour, requests) VALUES (${key}, ${hour}, ${limits.requestsPerHour})
                    ON CONFLICT (key_hash, hour) DO UPDATE SET requests = GREATEST(h.requests, EXCLUDED.requests)`
          }).pipe(Effect.ignore)

        return { hold, exhaustHour } satisfies KeyBudget
      }).pipe(Effect.orDie)

    return { limits, forKey }
  })

/** The budgets of every developer key, over the ledger's Postgres server. */
export const keyBudgetsLayer = (limits: KeyLimits = KEY_LIMITS) => Layer.scoped(KeyBudgets, makeKeyBudgets(limits))

/** Usage of a key's current clock hour and its slots (cluster status / tests). */
export const keyUsage = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const hour = Math.floor((yield* Clock.currentTimeMillis) / HOUR_MS)
  const hours = yield* sql<{ key_hash: string; requests: number; logins: number }>`
    SELECT key_hash, requests, logins FROM billcom_key_hours WHERE hour = ${hour} ORDER BY key_hash`
  const held = yield* sql<{ key_hash: string; organization_id: string; held: number }>`
    SELECT key_hash, organization_id, count(*)::int AS held FROM billcom_key_slots
    WHERE holder IS NOT NULL AND held_until >= clock_timestamp() GROUP BY key_hash, organization_id ORDER BY key_hash, organization_id`
  return { hour, hours, held }
})

/**
 * The limits to share: Bill.com's (§7), lowered with BILLSYNC_KEY_REQUESTS_PER_HOUR /
 * BILLSYNC_KEY_LOGINS_PER_HOUR to leave headroom for other clients of the same key.
 */
export const keyLimitsFromEnv = Effect.gen(function* () {
  const read = (name: string, max: number) =>
    Config.integer(name).pipe(
      Config.withDefault(max),
      Config.validate({
        message: `must be between 1 and ${max} (Bill.com's limit per developer key)`,
        validation: (n) => n >= 1 && n <= max
      })
    )
  return {
    requestsPerHour: yield* read("BILLSYNC_KEY_REQUESTS_PER_HOUR", KEY_LIMITS.requestsPerHour),
    loginsPerHour: yield* read("BILLSYNC_KEY_LOGINS_PER_HOUR", KEY_LIMITS.loginsPerHour),
    inFlightPerOrganization: KEY_LIMITS.inFlightPerOrganization
  } satisfies KeyLimits
})

/**
 * The shared budgets for a database target: on a Postgres server, in it; on the embedded
 * database (one process) none — the run's own limiter keeps to Bill.com's limits there.
 */
export const keyBudgetsFor = (target: DatabaseTarget) => (target._tag === "Url" ? keyBudgetsFromEnv : Layer.empty)

/** KeyBudgets over a Postgres server with the limits of keyLimitsFromEnv. */
export const keyBudgetsFromEnv = Layer.unwrapEffect(Effect.map(Effect.orDie(keyLimitsFromEnv), keyBudgetsLayer))
