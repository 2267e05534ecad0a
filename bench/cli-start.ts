import { spawnSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { build, distState } from "../bin/dist.mjs"
import { BILLSYNC_BIN, REPO_ROOT } from "./lib/workspace.ts"

/**
 * `npm run bench:start [-- --runs 20 --out FILE]`: how long `billsync --help` (and `billsync sync
 * --help`) take as whole processes, the way a user starts them (`node bin/billsync.mjs`, dist/
 * built first if stale). Wall time from spawn to exit; min / median / max over the runs after
 * two warm-ups. Target: `billsync --help` ≤ 0.3 s on the 2-core CI box.
 */
const args = new Map<string, string>()
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "")
const runs = Number(args.get("runs") ?? 20)
const out = args.get("out") ?? join(REPO_ROOT, "bench", "results", "cli-start.json")

if (distState() !== "fresh") build()

const time = (argv: ReadonlyArray<string>): number => {
  const started = performance.now()
  const r = spawnSync(process.execPath, [BILLSYNC_BIN, ...argv], { stdio: ["ignore", "ignore", "ignore"] })
  if (r.status !== 0) throw new Error(`billsync ${argv.join(" ")} exited ${r.status}`)
  return (performance.now() - started) / 1000
}

const measure = (argv: ReadonlyArray<string>) => {
  time(argv)
  time(argv)
  const samples = Array.from({ length: runs }, () => time(argv)).sort((a, b) => a - b)
  return {
    command: `billsync ${argv.join(" ")}`,
    runs,
    min: samples[0]!,
    median: samples[Math.floor(samples.length / 2)]!,
    max: samples.at(-1)!
  }
}

const results = [measure(["--help"]), measure(["sync", "--help"]), measure(["--version"])]
for (const r of results)
  console.log(
    `${r.command.padEnd(24)} min ${r.min.toFixed(3)} s  median ${r.median.toFixed(3)} s  max ${r.max.toFixed(3)} s  (${r.runs} runs)`
  )
writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2)}\n`)
