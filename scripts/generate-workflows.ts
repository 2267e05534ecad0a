// Regenerates .github/workflows/{sync,coa-plan,coa-apply}.yml from pipelines/*.yaml.
// Usage: node --import tsx scripts/generate-workflows.ts [--check]
//   --check: write nothing; exit 1 if a committed workflow differs from what would be generated.
import { readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { readPipelineIndex } from "../src/coa/pipeline-index.ts"
import { renderWorkflows } from "../src/ci/workflows.ts"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const check = process.argv.includes("--check")
let stale = 0
for (const [path, text] of Object.entries(renderWorkflows(readPipelineIndex(root)))) {
  const file = join(root, path)
  let current: string | undefined
  try {
    current = readFileSync(file, "utf8")
  } catch {
    current = undefined
  }
  if (current === text) continue
  if (check) {
    process.stderr.write(`${path} is out of date: run node --import tsx scripts/generate-workflows.ts\n`)
    stale++
  } else {
    writeFileSync(file, text)
    process.stdout.write(`wrote ${path}\n`)
  }
}
process.exitCode = stale > 0 ? 1 : 0
