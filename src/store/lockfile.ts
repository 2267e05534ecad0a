import { Effect } from "effect"
import { openSync, closeSync, writeSync, readFileSync, unlinkSync } from "node:fs"
import { StoreError } from "./errors.ts"

/** The lock file that keeps a second process off an embedded database directory. */
export const lockFileOf = (dataDir: string): string => `${dataDir}.lock`

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const tryCreate = (path: string): boolean => {
  try {
    const fd = openSync(path, "wx")
    writeSync(fd, String(process.pid))
    closeSync(fd)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false
    throw error
  }
}

/**
 * An exclusive lock file for the embedded database directory. PGlite is a single-process
 * database: a second process opening the same directory would corrupt it, so the second one
 * stops with a clear message instead. A lock left by a crashed process (dead pid) is taken over.
 */
export const acquireLockFile = (path: string, what: string) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        for (let attempt = 0; attempt < 3; attempt++) {
          if (tryCreate(path)) return
          const owner = Number(readFileSync(path, "utf8").trim())
          if (Number.isInteger(owner) && owner > 0 && (owner === process.pid || isAlive(owner))) {
            throw new StoreError({
              reason: "locked",
              message:
                `${what} is in use by ${owner === process.pid ? "this process already" : `another billsync process (pid ${owner})`}. ` +
                "Wait for it to finish, or set DATABASE_URL to use a Postgres server that several processes can share."
            })
          }
          // Stale lock from a process that no longer exists.
          unlinkSync(path)
        }
        throw new StoreError({ reason: "locked", message: `could not take the lock file ${path}` })
      },
      catch: (cause) =>
        cause instanceof StoreError ? cause : new StoreError({ reason: "open", message: `could not take the lock file ${path}: ${String(cause)}`, cause })
    }),
    () =>
      Effect.sync(() => {
        try {
          if (readFileSync(path, "utf8").trim() === String(process.pid)) unlinkSync(path)
        } catch {
          // already gone
        }
      })
  )
