import { it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect } from "vitest"
import { acquireLockFile } from "../../src/store/lockfile.ts"

const dir = () => mkdtempSync(join(tmpdir(), "billsync-lock-"))

describe("embedded database lock file", () => {
  it.scoped("a second opener is refused with a clear message while the first holds the lock; released on close", () =>
    Effect.gen(function* () {
      const path = join(dir(), "db.lock")
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* acquireLockFile(path, "the embedded database at x")
          expect(readFileSync(path, "utf8")).toBe(String(process.pid))
          const second = yield* Effect.exit(Effect.scoped(acquireLockFile(path, "the embedded database at x")))
          expect(Exit.isFailure(second)).toBe(true)
          if (Exit.isFailure(second)) {
            const error = second.cause._tag === "Fail" ? second.cause.error : undefined
            expect(error).toMatchObject({ _tag: "StoreError", reason: "locked" })
            expect((error as { message: string }).message).toContain("set DATABASE_URL")
          }
        })
      )
      expect(existsSync(path)).toBe(false)
    })
  )

  it.scoped("a lock left by a dead process is taken over", () =>
    Effect.gen(function* () {
      const path = join(dir(), "db.lock")
      writeFileSync(path, "2147483646")
      yield* acquireLockFile(path, "the embedded database at x")
      expect(readFileSync(path, "utf8")).toBe(String(process.pid))
    })
  )
})
