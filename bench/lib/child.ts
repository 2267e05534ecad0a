import { spawn } from "node:child_process"
import { existsSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { BILLSYNC_BIN, REPO_ROOT } from "./workspace.ts"

/**
 * Runs a child process (normally `billsync …`), capturing stdout/stderr, its wall time and peak
 * RSS (via rss-preload.mjs), optionally SIGKILLing it after `killAfterMs` (crash drills).
 */
export interface ChildResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
  /** Peak resident set size in MiB; undefined when the child was killed. */
  readonly maxRssMb: number | undefined
  readonly killed: boolean
}

export interface ChildOptions {
  readonly cwd?: string
  readonly env?: Record<string, string | undefined>
  readonly killAfterMs?: number
  /** The signal `killAfterMs` sends (default SIGKILL: a crash; SIGTERM: a container stop or a cancelled CI job). */
  readonly killSignal?: NodeJS.Signals
  /** Kill (and report) a child that runs longer than this (default 30 minutes). */
  readonly timeoutMs?: number
  /** Extra node flags (e.g. --cpu-prof). */
  readonly nodeArgs?: ReadonlyArray<string>
}

const PRELOAD = join(REPO_ROOT, "bench", "lib", "rss-preload.mjs")
/** Resolved here: children run with another cwd (a throwaway repository) where `tsx` would not resolve. */
const TSX = import.meta.resolve("tsx")
let serial = 0

export const runNode = (
  script: string,
  args: ReadonlyArray<string>,
  options: ChildOptions = {}
): Promise<ChildResult> =>
  new Promise((resolve, reject) => {
    const rssFile = join(tmpdir(), `billsync-rss-${process.pid}-${serial++}`)
    rmSync(rssFile, { force: true })
    const started = performance.now()
    const child = spawn(
      process.execPath,
      ["--import", TSX, "--import", PRELOAD, ...(options.nodeArgs ?? []), script, ...args],
      {
        cwd: options.cwd ?? REPO_ROOT,
        env: { ...process.env, ...options.env, BENCH_RSS_FILE: rssFile },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    child.stdout.on("data", (b: Buffer) => out.push(b))
    child.stderr.on("data", (b: Buffer) => err.push(b))
    let killed = false
    const kill = (after: number, signal: NodeJS.Signals) =>
      setTimeout(() => {
        killed = true
        child.kill(signal)
      }, after)
    const killTimer =
      options.killAfterMs !== undefined ? kill(options.killAfterMs, options.killSignal ?? "SIGKILL") : undefined
    const timeout = kill(options.timeoutMs ?? 30 * 60_000, "SIGKILL")
    child.on("error", reject)
    child.on("close", (code, signal) => {
      if (killTimer) clearTimeout(killTimer)
      clearTimeout(timeout)
      const rss = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) / 1024 : undefined
      rmSync(rssFile, { force: true })
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        ms: performance.now() - started,
        maxRssMb: rss,
        killed
      })
    })
  })

/** `billsync <args>` as a child process. */
export const runBillsync = (args: ReadonlyArray<string>, options: ChildOptions = {}) =>
  runNode(BILLSYNC_BIN, args, options)
