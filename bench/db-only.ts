import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { EmulatorCore } from "../src/emulator/index.ts"
import { parseArgs, parseSize } from "./lib/args.ts"
import { runNode } from "./lib/child.ts"
import { baseUrl, createDatabase, dropDatabase } from "./lib/db.ts"
import { makeWorkspace } from "./lib/workspace.ts"

/**
 * The database side alone, on its own (bench/run.ts runs it per size too): one organisation written
 * by the real sync engine from memory into a scratch database on DATABASE_URL's server.
 * `--log` logs every statement with its duration to the server's log (log_min_duration_statement = 0
 * on the scratch database) for a per-statement breakdown; `--keep` leaves the database;
 * `--cpu-prof DIR` profiles the writer.
 *
 * Usage: node --import tsx bench/db-only.ts [--bills 10k] [--log] [--keep] [--cpu-prof DIR]
 */
const args = parseArgs(process.argv.slice(2))
const n = parseSize(args.get("bills") ?? "10k")
const seed = `bench-${n}`
const core = new EmulatorCore({ seed, generate: { bills: n } })
const ws = makeWorkspace(core.state.org, {
  name: "bench",
  origin: "http://127.0.0.1:9",
  documents: { enabled: false, maxPerRun: 500 }
})
const name = `bench_db_only_${process.pid}`
const url = await createDatabase(name)
if (args.has("log"))
  execFileSync("psql", [baseUrl(), "-c", `ALTER DATABASE ${name} SET log_min_duration_statement = 0`], {
    stdio: "ignore"
  })
// Experiments: --set "name = value[;name = value…]" applies a server setting to the scratch database (e.g. session_replication_role = replica: no triggers, no foreign-key checks).
const setting = args.get("set")
for (const one of setting?.split(";") ?? [])
  execFileSync("psql", [baseUrl(), "-c", `ALTER DATABASE ${name} SET ${one}`], { stdio: "ignore" })
const prof = args.get("cpu-prof")
const r = await runNode(
  join(import.meta.dirname, "lib", "db-alone.ts"),
  ["--pipeline", "bench", "--seed", seed, "--bills", String(n)],
  {
    cwd: ws.root,
    env: { ...ws.env, DATABASE_URL: url },
    nodeArgs: prof === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${prof}`]
  }
)
process.stdout.write(r.stdout)
if (r.code !== 0) process.stderr.write(r.stderr.slice(-3000))
if (args.has("keep")) process.stdout.write(`kept ${url}\n`)
else await dropDatabase(name)
process.exit(r.code ?? 1)
