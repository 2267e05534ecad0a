import { PgClient } from "@effect/sql-pg"
import { Config, Context, Duration, Effect, Layer, Option, Redacted } from "effect"
import { mkdirSync } from "node:fs"
import { embeddedClientLayer } from "./embedded.ts"
import { migrate } from "./migrator.ts"

/** Where the embedded database lives when DATABASE_URL is unset (git-ignored). */
export const defaultEmbeddedDir = ".billsync/db"

export type DatabaseTarget =
  | { readonly _tag: "Url"; readonly url: Redacted.Redacted<string> }
  | { readonly _tag: "Embedded"; readonly dataDir: string | undefined }

export const describeTarget = (target: DatabaseTarget): string =>
  target._tag === "Url" ? "Postgres (DATABASE_URL)" : `embedded PGlite (${target.dataDir ?? "in memory"})`

/** A Postgres client layer for a target, without migrations. Real servers get a small pool; PGlite exactly one connection. */
export const rawClientLayer = (target: DatabaseTarget) =>
  target._tag === "Url"
    ? PgClient.layer({ url: target.url, maxConnections: 8, connectTimeout: Duration.seconds(10), applicationName: "billsync" })
    : Layer.unwrapEffect(
        Effect.sync(() => {
          if (target.dataDir !== undefined) mkdirSync(target.dataDir, { recursive: true })
          return embeddedClientLayer(target.dataDir !== undefined ? { dataDir: target.dataDir } : {})
        })
      )

/** Which kind of database is in use: PGlite has one connection, so session-held locks must not pin it. */
export class DatabaseInfo extends Context.Tag("billsync/DatabaseInfo")<DatabaseInfo, { readonly embedded: boolean; readonly description: string }>() {}

/** The client layer with every pending migration applied when it is built (safe when several processes start at once). */
export const clientLayer = (target: DatabaseTarget) =>
  Layer.merge(
    Layer.effectDiscard(migrate).pipe(Layer.provideMerge(rawClientLayer(target))),
    Layer.succeed(DatabaseInfo, { embedded: target._tag === "Embedded", description: describeTarget(target) })
  )

/**
 * DATABASE_URL when set, else the embedded database on disk. An empty DATABASE_URL counts as unset:
 * CI systems render a missing secret as "" (GitHub's `${{ secrets.X }}`).
 */
export const targetFromEnv = Effect.gen(function* () {
  const url = Option.filter(yield* Config.option(Config.redacted("DATABASE_URL")), (u) => Redacted.value(u).trim() !== "")
  const dir = yield* Config.string("BILLSYNC_EMBEDDED_DIR").pipe(Config.withDefault(defaultEmbeddedDir))
  return Option.match(url, {
    onSome: (url): DatabaseTarget => ({ _tag: "Url", url }),
    onNone: (): DatabaseTarget => ({ _tag: "Embedded", dataDir: dir })
  })
})

export const DatabaseLive = Layer.unwrapEffect(Effect.map(targetFromEnv, clientLayer))
