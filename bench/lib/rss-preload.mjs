// Preloaded into benchmark children (node --import): on exit, writes the process's peak RSS (KiB)
// to $BENCH_RSS_FILE so the parent can read it (a SIGKILLed child writes nothing).
import { writeFileSync } from "node:fs"

const file = process.env.BENCH_RSS_FILE
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)))
