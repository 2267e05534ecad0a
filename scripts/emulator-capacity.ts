import { performance } from "node:perf_hooks"
import { startEmulator } from "../src/emulator/index.ts"

/**
 * Emulator capacity check: `node --expose-gc --import tsx scripts/emulator-capacity.ts [bills]`.
 * Reports generation time, retained heap, and how fast a full bill list pages out at max=100
 * (sequential cursor following, the way a sync reads one list).
 */
const bills = Number(process.argv[2] ?? 200_000)
const gc = (globalThis as { gc?: () => void }).gc
const heapMb = () => {
  gc?.()
  return process.memoryUsage().heapUsed / 1e6
}

const before = heapMb()
const t0 = performance.now()
const emu = await startEmulator({ seed: "measure", generate: { bills }, contract: { responses: "off" } })
const startMs = performance.now() - t0
const heap = heapMb() - before
const org = emu.core.state.org
const c = emu.core.credentials
const base = `${emu.core.origin}/connect`
const login = (await (
  await fetch(`${base}/v3/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(c)
  })
).json()) as { sessionId: string }
const headers = { sessionId: login.sessionId, devKey: c.devKey }

const t1 = performance.now()
let page: string | undefined
let rows = 0
let requests = 0
let bytes = 0
do {
  const res = await fetch(`${base}/v3/bills?max=100&sort=updatedTime:asc${page !== undefined ? `&page=${page}` : ""}`, {
    headers
  })
  const text = await res.text()
  bytes += text.length
  const body = JSON.parse(text) as { nextPage?: string; results: Array<unknown> }
  rows += body.results.length
  requests++
  page = body.nextPage
} while (page !== undefined)
const pageMs = performance.now() - t1
await emu.stop()

process.stdout.write(
  [
    `bills generated        ${org.bills.length} (+ ${org.payments.length} payments, ${org.vendorCredits.length} credits, ${org.vendors.length} vendors)`,
    `generate + listen      ${startMs.toFixed(0)} ms`,
    `retained heap          ${heap.toFixed(0)} MB${gc === undefined ? " (run with --expose-gc for an exact figure)" : ""}`,
    `paged all bills        ${rows} rows in ${requests} requests, ${(pageMs / 1000).toFixed(1)} s = ${((requests / pageMs) * 1000).toFixed(0)} req/s, ${((rows / pageMs) * 1000).toFixed(0)} rows/s, ${(bytes / 1e6).toFixed(0)} MB JSON`
  ].join("\n") + "\n"
)
