// Prints, as a JSON array, the pipelines a change touches (its pipeline file or its mappings folder).
// Usage: node --import tsx scripts/affected-pipelines.ts <base-commit>
//   An unknown or all-zero base (a new branch) means every pipeline.
import { execFileSync } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { affectedPipelines, readPipelineIndex } from "../src/coa/pipeline-index.ts"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const pipelines = readPipelineIndex(root)
const base = process.argv[2] ?? ""

const changedSince = (commit: string): ReadonlyArray<string> | undefined => {
  if (!/^[0-9a-f]{7,40}$/i.test(commit) || /^0+$/.test(commit)) return undefined
  try {
    const out = execFileSync("git", ["diff", "--name-only", `${commit}...HEAD`, "--", "pipelines", "mappings"], {
      cwd: root,
      encoding: "utf8"
    })
    return out.split("\n").filter((l) => l !== "")
  } catch {
    return undefined
  }
}

const changed = changedSince(base)
const names = changed === undefined ? pipelines.map((p) => p.name) : affectedPipelines(changed, pipelines)
process.stdout.write(JSON.stringify(names) + "\n")
