import { execFile } from "node:child_process"
import { cpSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

/** The real CLI, as users run it: `node bin/billsync.mjs` (dist/, built by the test setup). */
export const BIN = resolve("bin/billsync.mjs")

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * The environment a CLI child gets: the given variables on top of this process's, minus the ones
 * that would change what is tested (DATABASE_URL, CI flags — the suite itself runs in CI —, log
 * settings) unless given. `undefined` removes a variable.
 */
export const cliEnv = (given: Record<string, string | undefined> = {}): Record<string, string> => {
  const {
    DATABASE_URL: _d,
    CI: _c,
    GITHUB_ACTIONS: _g,
    BILLSYNC_LOG_FORMAT: _f,
    BILLSYNC_LOG_LEVEL: _l,
    BILLSYNC_EMBEDDED_DIR: _e,
    NO_COLOR: _n,
    FORCE_COLOR: _fc,
    ...inherited
  } = process.env
  const env: Record<string, string> = { ...(inherited as Record<string, string>) }
  for (const [k, v] of Object.entries(given))
    if (v === undefined) delete env[k]
    else env[k] = v
  return env
}

/** Runs `billsync …` in `cwd` with `cliEnv(options.env)`. */
export const runCli = (
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly env?: Record<string, string | undefined> } = {}
) =>
  new Promise<CliResult>((done) => {
    const env = cliEnv(options.env)
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? process.cwd(), env, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })
    )
  })

/** A throwaway repository with the demo pipeline, its mappings and the schemas (the emulator serves it in-process). */
export const demoRepository = (): { readonly root: string; readonly remove: () => void } => {
  const root = mkdtempSync(join(tmpdir(), "billsync-cli-"))
  cpSync(resolve("pipelines/demo.yaml"), join(root, "pipelines/demo.yaml"))
  cpSync(resolve("mappings/demo"), join(root, "mappings/demo"), { recursive: true })
  cpSync(resolve("schemas"), join(root, "schemas"), { recursive: true })
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) }
}

export { scratchServerDatabase } from "./database.ts"

/** Every stderr line is in billsync's one log style: `<UTC ISO time> <LEVEL> <message>…`. */
export const LOG_LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (DEBUG|INFO |WARN |ERROR|FATAL) \S/

export const stderrLines = (r: CliResult): Array<string> => r.stderr.split("\n").filter((l) => l !== "")
