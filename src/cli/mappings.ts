import { Console, Effect, Layer } from "effect"
import { existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { loadPipeline } from "../config/load.ts"
import { unifiedDiff } from "../mappings/diff.ts"
import { pulledMasterRecords } from "../mappings/pulled.ts"
import { reportScope } from "../ledger/report-data.ts"
import { Reports } from "../ledger/reports.ts"
import { markdownTable, textTable, type Table } from "../ledger/render.ts"
import { applySuggestions } from "../mappings/yaml-edit.ts"
import { suggestMappings, type SuggestResult } from "../mappings/suggest.ts"
import { reportFailure } from "./failure.ts"
import { databaseFor, storeLayer } from "./environment.ts"
import { Exit, exitWith } from "./exit.ts"
import type { SuggestOptions } from "./options.ts"

/**
 * `billsync mappings suggest <pipeline> [--dry-run]`: proposes links for pulled Bill.com records no
 * mapping covers and writes them into the mapping files (comments and order kept), ready for a
 * pull request; --dry-run prints the unified diff instead. The result is validated like
 * `billsync validate` before it is kept. Ambiguous and unmatched records are listed, never guessed.
 */
const tables = (r: SuggestResult): Array<Table> => [
  {
    title: `Suggested links (${r.suggestions.length})`,
    columns: ["Kind", "Bill.com id", "Bill.com name", "File", "Link to", "Basis", "Confidence"].map((h) => ({
      header: h,
      align: h === "Confidence" ? ("right" as const) : ("left" as const)
    })),
    rows: r.suggestions.map((s) => [
      s.kind,
      s.billcomId,
      s.billcomName,
      s.file,
      s.target,
      s.basis,
      s.basis === "new-key" ? "new" : s.confidence.toFixed(2)
    ])
  },
  {
    title: `Ambiguous — map by hand (${r.ambiguous.length})`,
    columns: ["Kind", "Bill.com id", "Bill.com name", "Why", "Candidates"].map((h) => ({
      header: h,
      align: "left" as const
    })),
    rows: r.ambiguous.map((a) => [a.kind, a.billcomId, a.billcomName, a.reason, a.candidates.join(", ")])
  },
  {
    title: `No match (${r.unmatched.length})`,
    columns: ["Kind", "Bill.com id", "Bill.com name", "What to do"].map((h) => ({ header: h, align: "left" as const })),
    rows: r.unmatched.map((a) => [a.kind, a.billcomId, a.billcomName, a.reason])
  }
]

export const run = (o: SuggestOptions) =>
  Effect.gen(function* () {
    const loaded = yield* loadPipeline(o.pipeline)
    const target = yield* databaseFor(loaded)
    const pulled = yield* Effect.gen(function* () {
      const scope = yield* reportScope(loaded.pipeline.name)
      return yield* pulledMasterRecords(scope.integrationId)
    }).pipe(Effect.provide(Reports.Default.pipe(Layer.provideMerge(storeLayer(target, "read")))))
    const result = suggestMappings(loaded.mappings, pulled)

    const dir = join(loaded.root, loaded.mappingsDir)
    const files = new Set(result.suggestions.map((s) => s.file))
    const before = new Map(
      [...files].map((f) => [f, existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : undefined] as const)
    )
    const after = applySuggestions(before, result.suggestions)

    if (o.json)
      yield* Console.log(
        JSON.stringify({ ...result, files: [...after.keys()].map((f) => `${loaded.mappingsDir}/${f}`) }, null, 2)
      )
    else
      yield* Console.log(
        tables(result)
          .map((t) => (o.format === "markdown" ? markdownTable(t) : textTable(t)))
          .join("\n\n")
      )

    if (o.dryRun) {
      const diff = [...after]
        .map(([f, text]) => unifiedDiff(`${loaded.mappingsDir}/${f}`, before.get(f), text))
        .join("")
      if (!o.json) yield* Console.log(diff === "" ? "\n(no changes)" : `\n${diff}`)
      return
    }
    for (const [f, text] of after) writeFileSync(join(dir, f), text)
    // Keep the edit only if the repository still validates; otherwise put every file back.
    const check = yield* Effect.either(loadPipeline(o.pipeline))
    if (check._tag === "Left") {
      for (const [f] of after) {
        const original = before.get(f)
        if (original === undefined) unlinkSync(join(dir, f))
        else writeFileSync(join(dir, f), original)
      }
      return yield* exitWith(
        Exit.problems,
        `billsync mappings suggest: the edited files did not validate, nothing was changed: ${check.left.message}`
      )
    }
    yield* Effect.logInfo(
      after.size === 0
        ? "billsync mappings suggest: nothing to change"
        : `billsync mappings suggest: updated ${[...after.keys()].map((f) => `${loaded.mappingsDir}/${f}`).join(", ")}`
    )
  }).pipe(Effect.catchAll(reportFailure("mappings suggest")))
