/**
 * SIGINT / SIGTERM for the CLI. A command that can stop cleanly (a sync: the batch in flight commits
 * or rolls back whole, the run is recorded as interrupted, the summary is printed) registers a
 * handler while it runs; without one the command's fiber is interrupted (its finalizers run: logout,
 * lock release). Either way the exit status is 128 + the signal's number (130 SIGINT, 143 SIGTERM),
 * so a cancelled CI job or a stopped container never reports success. A second signal stops at once.
 * No imports: runtime.ts installs it before any command code runs.
 */
export type StopSignal = "SIGINT" | "SIGTERM"

export const signalExitStatus: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 }

const handlers = new Set<(signal: StopSignal) => void>()
let received: StopSignal | undefined

/** The first stop signal this process received, if any. */
export const receivedSignal = (): StopSignal | undefined => received

/** Registers a graceful stop handler; returns its removal. A signal already received is delivered at once. */
export const onStopSignal = (handler: (signal: StopSignal) => void): (() => void) => {
  handlers.add(handler)
  if (received !== undefined) handler(received)
  return () => {
    handlers.delete(handler)
  }
}

let early: ((signal: StopSignal) => void) | undefined

/**
 * While billsync is starting (before a command runs, nothing written yet): a signal ends the
 * process at once with its status, after `say` (e.g. a JSON summary for `sync --json`).
 */
export const installEarlyExit = (say: (signal: StopSignal) => void): void => {
  early = (signal) => {
    say(signal)
    process.exit(signalExitStatus[signal])
  }
  process.on("SIGINT", early)
  process.on("SIGTERM", early)
}

/**
 * Installs the process's SIGINT/SIGTERM listeners (instead of the early ones): `interrupt` is
 * called when no graceful handler is registered. Returns their removal.
 */
export const installSignalHandlers = (interrupt: () => void): (() => void) => {
  if (early !== undefined) {
    process.removeListener("SIGINT", early)
    process.removeListener("SIGTERM", early)
    early = undefined
  }
  const listener = (signal: StopSignal) => {
    if (received !== undefined) {
      // Second signal: stop now (a Postgres session lock dies with the connection; the embedded lock file names a dead pid).
      process.stderr.write(`billsync: ${signal} again: stopping at once\n`)
      process.exit(signalExitStatus[received])
    }
    received = signal
    process.exitCode = signalExitStatus[signal]
    if (handlers.size > 0) for (const h of [...handlers]) h(signal)
    else interrupt()
  }
  process.on("SIGINT", listener)
  process.on("SIGTERM", listener)
  return () => {
    process.removeListener("SIGINT", listener)
    process.removeListener("SIGTERM", listener)
  }
}
