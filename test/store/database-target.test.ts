import { it } from "@effect/vitest"
import { ConfigProvider, Effect, Redacted } from "effect"
import { expect } from "vitest"
import { targetFromEnv } from "../../src/store/database.ts"

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

it.effect("DATABASE_URL selects the server; unset or empty selects the embedded database", () =>
  Effect.gen(function* () {
    const server = yield* targetFromEnv.pipe(withEnv({ DATABASE_URL: "postgres://u@127.0.0.1:5432/db" }))
    expect(server._tag === "Url" && Redacted.value(server.url)).toBe("postgres://u@127.0.0.1:5432/db")
    expect(yield* targetFromEnv.pipe(withEnv({}))).toEqual({ _tag: "Embedded", dataDir: ".billsync/db" })
    // GitHub renders a missing secret as "": that must not mean "connect to nothing".
    expect(yield* targetFromEnv.pipe(withEnv({ DATABASE_URL: "  ", BILLSYNC_EMBEDDED_DIR: "/tmp/x" }))).toEqual({
      _tag: "Embedded",
      dataDir: "/tmp/x"
    })
  })
)
