import { spawn } from "node:child_process"
import { describe, expect, test } from "vitest"
import { BIN, cliEnv } from "../support/cli.ts"

/**
 * `billsync errors demo | head`: the reader of stdout goes away before billsync has written. Every
 * command then stops quietly (no EPIPE stack on stderr) with the status it had, instead of dying
 * with an uncaught 'write EPIPE' error. The pipe's read end is closed before the child writes
 * anything (it is closed right after the spawn, while node is still starting): no timing.
 */
const withClosedStdout = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: cliEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 60_000
    })
    child.stdout.destroy()
    let stderr = ""
    child.stderr.on("data", (chunk) => (stderr += String(chunk)))
    child.on("close", (code) => resolve({ code, stderr }))
  })

describe("a closed stdout (billsync … | head) ends the command quietly", () => {
  for (const [args, status] of [
    [["--help"], 0],
    [["validate", "--format", "json"], 0],
    [["emulator", "--port", "0"], 0]
  ] as const) {
    test(`billsync ${args.join(" ")}`, async () => {
      const r = await withClosedStdout(args)
      expect(r.stderr).not.toMatch(/EPIPE|Error:|at .*\(.*:\d+:\d+\)/)
      expect(r.code).toBe(status)
    })
  }
})
