import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Config, Context, Duration, Effect, Layer, Option, Redacted } from "effect"
import { Secrets } from "../billcom/secrets.ts"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { embeddedClientLayer } from "./embedded.ts"
import { lockFileOf, type LockFileWait } from "./lockfile.ts"
import { StoreError } from "./errors.ts"
import { discoverMigrations, migrate, migrationsTable } from "./migrator.ts"

/** Where the embedded database lives when DATABASE_URL is unset (git-ignored). */
export const defaultEmbeddedDir = ".billsync/db"

/**
 * The embedded database of `environment: emulator` pipelines (the demo's): emulator data never
 * shares an embedded ledger with a real organisation's, and `npm run demo` may start it afresh.
 */
export const emulatorEmbeddedDir = ".billsync/emulator"

export type DatabaseTarget =
  | { readonly _tag: "Url"; readonly url: Redacted.Redacted<string> }
  | { readonly _tag: "Embedded"; readonly dataDir: string | undefined }

export const describeTarget = (target: DatabaseTarget): string =>
  target._tag === "Url" ? "Postgres (DATABASE_URL)" : `embedded PGlite (${target.dataDir ?? "in memory"})`

/** A Postgres client layer for a target, without migrations. Real servers get a small pool; PGlite exactly one connection. */
export interface ClientOptions {
  /** Embedded database held by another process: wait for it (`sync --wait`) instead of failing at once. */
  readonly wait?: LockFileWait | undefined
  /** The embedded database is missing although a ledger existed there: create a new, empty one (`--new-ledger`). */
  readonly newLedger?: boolean | undefined
}

/**
 * Beside an embedded database on disk, `<dataDir>.ledger` records that a ledger was created there
 * (written when it is first opened for writing). If the folder later disappears — deleted, moved,
 * a volume not mounted — a write command refuses to start a new, empty ledger in its place
 * unless told to (--new-ledger): the history would otherwise be lost without a word.
 */
export const ledgerMarkerOf = (dataDir: string): string => `${dataDir}.ledger`

const checkLedgerNotLost = (dataDir: string, newLedger: boolean) =>
  Effect.suspend(() => {
    const marker = ledgerMarkerOf(dataDir)
    if (newLedger || existsSync(join(dataDir, "PG_VERSION")) || !existsSync(marker)) return Effect.void
    let created = "an earlier run"
    try {
      created = (JSON.parse(readFileSync(marker, "utf8")) as { createdAt?: string }).createdAt ?? created
    } catch {
      // an unreadable marker still says a ledger existed
    }
    return Effect.fail(
      new StoreError({
        reason: "ledger-missing",
        message:
          `the embedded database at ${dataDir} is gone, but a ledger was created there (${created}; recorded in ${marker}): it was deleted or moved, and starting an empty one would silently lose its history. ` +
          `Restore the folder from a backup, or point BILLSYNC_EMBEDDED_DIR at where it is now; to start a new, empty ledger on purpose, pass --new-ledger`
      })
    )
  })

const writeLedgerMarker = (dataDir: string) =>
  Effect.sync(() => {
    const marker = ledgerMarkerOf(dataDir)
    if (!existsSync(marker))
      writeFileSync(marker, `${JSON.stringify({ createdAt: new Date().toISOString(), dataDir })}\n`)
  })

export const rawClientLayer = (target: DatabaseTarget, options: ClientOptions = {}) => {
  if (target._tag === "Url")
    return PgClient.layer({
      url: target.url,
      maxConnections: 8,
      connectTimeout: Duration.seconds(10),
      applicationName: "billsync"
    })
  const dataDir = target.dataDir
  if (dataDir === undefined) return embeddedClientLayer({})
  return Layer.unwrapEffect(
    Effect.gen(function* () {
      yield* checkLedgerNotLost(dataDir, options.newLedger === true)
      mkdirSync(dataDir, { recursive: true })
      return Layer.tap(embeddedClientLayer({ dataDir, wait: options.wait }), () => writeLedgerMarker(dataDir))
    })
  )
}

/** Which kind of database is in use: PGlite has one connection, so session-held locks must not pin it. */
export class DatabaseInfo extends Context.Tag("billsync/DatabaseInfo")<
  DatabaseInfo,
  {
    readonly embedded: boolean
    readonly description: string
    /** The embedded database's lock file (on disk only): the integration lock's fence checks it still names this process. */
    readonly lockFile?: string | undefined
  }
>() {}

/**
 * How a command uses the database: "write" creates the embedded database if missing and applies
 * pending migrations; "read" (status, errors, report, mappings suggest) never creates or migrates
 * anything: a missing or unmigrated database is a StoreError that says so.
 */
export type DatabaseAccess = "write" | "read"

const describeForUser = (target: DatabaseTarget): string =>
  target._tag === "Url"
    ? "the database at DATABASE_URL"
    : target.dataDir === undefined
      ? "the in-memory database"
      : `the embedded database at ${target.dataDir}`

/** Read access: the migrations this code knows must all be applied (none created, none run). */
const checkMigrated = (target: DatabaseTarget) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const known = (yield* discoverMigrations).map(([id, name]) => ({ id, name }))
    const table = yield* sql<{ present: boolean }>`SELECT to_regclass(${migrationsTable}) IS NOT NULL AS present`
    const applied =
      table[0]?.present === true
        ? new Set(
            (yield* sql<{ id: number }>`SELECT migration_id AS id FROM ${sql(migrationsTable)}`).map((r) =>
              Number(r.id)
            )
          )
        : new Set<number>()
    const pending = known.filter((m) => !applied.has(m.id))
    if (pending.length === 0) return
    return yield* new StoreError({
      reason: "not-migrated",
      message:
        applied.size === 0
          ? `${describeForUser(target)} has no billsync tables: nothing has been synced into it yet (read-only commands never create them); run \`billsync sync <pipeline>\` (or \`npm run demo\`) first`
          : `${describeForUser(target)} is not migrated to this version of billsync (${pending.length} pending: ${pending.map((m) => `${m.id}_${m.name}`).join(", ")}); read-only commands never migrate: run \`billsync sync <pipeline>\` or \`billsync connect <pipeline>\` first`
    })
  }).pipe(
    Effect.catchTag("SqlError", (cause) =>
      Effect.fail(
        new StoreError({
          reason: "query",
          message: `could not read ${describeForUser(target)}: ${cause.message}`,
          cause
        })
      )
    )
  )

/** Read access to the embedded database: it must exist already (opening a missing directory would create one). */
const checkExists = (target: DatabaseTarget) =>
  target._tag === "Embedded" && target.dataDir !== undefined && !existsSync(join(target.dataDir, "PG_VERSION"))
    ? Effect.fail(
        new StoreError({
          reason: "missing",
          message: `no database at ${target.dataDir}: nothing has been synced into it yet (read-only commands never create one); run \`billsync sync <pipeline>\` (or \`npm run demo\`) first, or set DATABASE_URL to the ledger's Postgres`
        })
      )
    : Effect.void

/**
 * The client layer. Write access applies every pending migration when it is built (safe when
 * several processes start at once); read access only checks that there is nothing to apply.
 */
export const clientLayer = (target: DatabaseTarget, access: DatabaseAccess = "write", options: ClientOptions = {}) =>
  Layer.merge(
    access === "write"
      ? Layer.effectDiscard(migrate).pipe(Layer.provideMerge(rawClientLayer(target, options)))
      : Layer.effectDiscard(checkMigrated(target)).pipe(
          Layer.provideMerge(Layer.unwrapEffect(Effect.as(checkExists(target), rawClientLayer(target))))
        ),
    Layer.succeed(DatabaseInfo, {
      embedded: target._tag === "Embedded",
      description: describeTarget(target),
      lockFile: target._tag === "Embedded" && target.dataDir !== undefined ? lockFileOf(target.dataDir) : undefined
    })
  )

const passwordOf = (url: string): string | undefined => {
  try {
    return decodeURIComponent(new URL(url).password) || undefined
  } catch {
    return undefined
  }
}

/**
 * DATABASE_URL when set, else the embedded database on disk: BILLSYNC_EMBEDDED_DIR, else
 * .billsync/emulator for `environment: emulator` pipelines and .billsync/db for the others.
 * An empty DATABASE_URL counts as unset: CI systems render a missing secret as "" (GitHub's `${{ secrets.X }}`).
 */
export const targetFor = (environment?: string) =>
  Effect.gen(function* () {
    const url = Option.filter(
      yield* Config.option(Config.redacted("DATABASE_URL")),
      (u) => Redacted.value(u).trim() !== ""
    )
    // A database's messages may quote its URL: its password is scrubbed like the Bill.com secrets.
    if (Option.isSome(url)) (yield* Secrets).register(passwordOf(Redacted.value(url.value)))
    const dir = yield* Config.string("BILLSYNC_EMBEDDED_DIR").pipe(
      Config.withDefault(environment === "emulator" ? emulatorEmbeddedDir : defaultEmbeddedDir)
    )
    return Option.match(url, {
      onSome: (url): DatabaseTarget => ({ _tag: "Url", url }),
      onNone: (): DatabaseTarget => ({ _tag: "Embedded", dataDir: dir })
    })
  })

/**
 * Running in CI: `CI=true` (GitHub Actions and most CI services) or `CI=1` (others), any case, or
 * `GITHUB_ACTIONS=true` — a runner that is discarded after the job.
 */
export const inCi = (env: NodeJS.ProcessEnv = process.env): boolean =>
  ["true", "1"].includes((env["CI"] ?? "").trim().toLowerCase()) ||
  (env["GITHUB_ACTIONS"] ?? "").trim().toLowerCase() === "true"

/** The variable that said so, for messages ("CI=1", "GITHUB_ACTIONS=true"). */
const ciVariable = (env: NodeJS.ProcessEnv): string =>
  (env["GITHUB_ACTIONS"] ?? "").trim().toLowerCase() === "true"
    ? `GITHUB_ACTIONS=${env["GITHUB_ACTIONS"]}`
    : `CI=${env["CI"]}`

/**
 * connect, sync and apply in CI: the embedded database would live on a runner that is discarded
 * after the job, so the ledger (and the record of what was applied to Bill.com) would be lost
 * without a word. Refused unless the command was told --ephemeral.
 */
export const refuseEmbeddedInCi = (target: DatabaseTarget, ephemeral: boolean, env: NodeJS.ProcessEnv = process.env) =>
  target._tag === "Embedded" && inCi(env) && !ephemeral
    ? Effect.fail(
        new StoreError({
          reason: "ci-embedded",
          message:
            `refusing to write to ${describeForUser(target)} in CI (${ciVariable(env)}): it lives on this runner and is discarded with it, so the ledger would be lost. ` +
            "Set DATABASE_URL to the ledger's Postgres — in GitHub Actions from the repository secret DATABASE_URL (env: DATABASE_URL: ${{ secrets.DATABASE_URL }}); " +
            "an empty DATABASE_URL means the secret is missing — or pass --ephemeral for a throwaway run"
        })
      )
    : Effect.void

/** The target for a pipeline whose environment is not known (sandbox/production). */
export const targetFromEnv = targetFor()

export const DatabaseLive = Layer.unwrapEffect(Effect.map(targetFromEnv, (t) => clientLayer(t)))
