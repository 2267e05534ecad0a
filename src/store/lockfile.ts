import { Duration, Effect, Schedule } from "effect"
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

/** How a second process waits for the lock file (`sync --wait`): until it is free, or until `until` completes (a stop signal). */
export interface LockFileWait {
  readonly until: Effect.Effect<string>
}

/** How often a waiting process looks at the lock file again. */
const WAIT_POLL = Duration.millis(250)

/**
 * An exclusive lock file for the embedded database directory. PGlite is a single-process
 * database: a second process opening the same directory would corrupt it, so the second one
 * stops with a clear message instead — or, given `wait`, queues: it takes the lock when the
 * holder releases it (or dies). A lock left by a crashed process (dead pid) is taken over.
 */
export const acquireLockFile = (path: string, what: string, wait?: LockFileWait) => {
  const acquire = Effect.acquireRelease(takeLockFile(path, what), () =>
    Effect.sync(() => {
      try {
        if (readFileSync(path, "utf8").trim() === String(process.pid)) unlinkSync(path)
      } catch {
        // already gone
      }
    })
  )
  return wait === undefined ? acquire : waitForLockFile(acquire, what, wait)
}

/** Retries `acquire` while another live process holds the lock (outside the acquisition, so a stop can end the wait). */
const waitForLockFile = <R>(acquire: Effect.Effect<void, StoreError, R>, what: string, wait: LockFileWait) => {
  let said = false
  const attempt = acquire.pipe(
    Effect.tapError((e) =>
      e.reason === "locked" && !said
        ? Effect.zipRight(
            Effect.sync(() => {
              said = true
            }),
            Effect.logInfo(`waiting for ${what}: ${e.message.split(". ")[0]} (--wait)`)
          )
        : Effect.void
    )
  )
  return Effect.raceFirst(
    attempt.pipe(
      Effect.retry({
        while: (e) => e.reason === "locked" && !e.message.includes("this process already"),
        schedule: Schedule.spaced(WAIT_POLL)
      })
    ),
    Effect.flatMap(wait.until, (signal) =>
      Effect.fail(
        new StoreError({
          reason: "interrupted",
          message: `interrupted by ${signal} while waiting for ${what}: nothing was written`
        })
      )
    )
  )
}

const takeLockFile = (path: string, what: string) =>
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
              "Wait for it to finish (`billsync sync --wait` queues behind it), or set DATABASE_URL to use a Postgres server that several processes can share."
          })
        }
        // Stale lock from a process that no longer exists.
        unlinkSync(path)
      }
      throw new StoreError({ reason: "locked", message: `could not take the lock file ${path}` })
    },
    catch: (cause) =>
      cause instanceof StoreError
        ? cause
        : new StoreError({ reason: "open", message: `could not take the lock file ${path}: ${String(cause)}`, cause })
  })
