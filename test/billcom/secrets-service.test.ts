import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Logger } from "effect"
import { makeSecretRegistry, Secrets } from "../../src/billcom/secrets.ts"
import { stderrLogger } from "../../src/cli/log.ts"
import { targetFromEnv } from "../../src/store/database.ts"

/**
 * The secret registry is a service: the instance the composition root provides (cli/runtime.ts, one
 * per process) is the one the program registers into and the logger scrubs with — no module-level set.
 */
const databaseUrl = "postgres://ledger:db-pass-0f3c9a@127.0.0.1:5432/ledger"
const withDatabaseUrl = Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["DATABASE_URL", databaseUrl]])))

describe("Secrets", () => {
  it.effect("what the program learns (the database password) goes into the provided registry, not into another", () =>
    Effect.gen(function* () {
      const provided = makeSecretRegistry()
      yield* targetFromEnv.pipe(withDatabaseUrl, Effect.provideService(Secrets, provided))
      expect(provided.scrub(`could not connect to ${databaseUrl}`)).toBe(
        "could not connect to postgres://ledger:[redacted]@127.0.0.1:5432/ledger"
      )
      // Another registry (here: the default one, what an unprovided program would use) knows nothing of it.
      expect(yield* Effect.map(Secrets, (s) => s.leaks(databaseUrl))).toBe(false)
    })
  )

  it.effect("the CLI's logger scrubs with the logging fiber's registry", () =>
    Effect.gen(function* () {
      const provided = makeSecretRegistry()
      provided.register("db-pass-0f3c9a")
      const lines: Array<string> = []
      const write = process.stderr.write
      process.stderr.write = ((chunk: string) => {
        lines.push(String(chunk))
        return true
      }) as typeof process.stderr.write
      try {
        yield* Effect.logWarning(`Postgres said: password db-pass-0f3c9a refused`).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, stderrLogger("text"))),
          Effect.provideService(Secrets, provided)
        )
      } finally {
        process.stderr.write = write
      }
      expect(lines.join("")).toContain("Postgres said: password [redacted] refused")
      expect(lines.join("")).not.toContain("db-pass-0f3c9a")
    })
  )
})
