import { Console, Effect } from "effect"
import { readPipelineIndex, type PipelineEntry } from "../coa/pipeline-index.ts"
import { describeTarget, targetFor, type DatabaseTarget } from "../store/database.ts"
import { Integrations } from "../store/integrations.ts"
import { Runs } from "../store/runs.ts"
import { reportFailure } from "./failure.ts"
import { storeLayer } from "./environment.ts"
import { freshness, renderFreshness, type FreshnessRow } from "../sync/freshness.ts"
import { closest } from "./suggest.ts"
import { Exit, exitWith } from "./exit.ts"
import type { FreshnessOptions } from "./options.ts"

/**
 * `billsync freshness [pipeline…]`: reports scheduled pipelines whose last good sync is older than
 * twice their schedule (or that never synced). Reads the database only, through the read-only
 * store layer: a missing or unmigrated database is an error, never created. Exit 1 when any is
 * stale, so a scheduled workflow fails and alerts.
 */
export const run = (o: FreshnessOptions) =>
  Effect.gen(function* () {
    const index = readPipelineIndex(process.cwd())
    const unknown = o.pipelines.filter((name) => !index.some((p) => p.name === name))
    if (unknown.length > 0) {
      const names = index.map((p) => p.name)
      return yield* exitWith(
        Exit.usage,
        ...unknown.map((name) => {
          const near = closest(name, names)
          return `billsync freshness: unknown pipeline ${JSON.stringify(name)}${near ? ` — did you mean ${near}?` : ""} (pipelines: ${names.join(", ") || "none under pipelines/"})`
        })
      )
    }
    const chosen = (
      o.pipelines.length > 0
        ? index.filter((p) => o.pipelines.includes(p.name))
        : index.filter((p) => p.environment !== "emulator")
    ).filter((p) => p.schedule !== undefined)
    // One read-only connection per database (emulator pipelines have their own embedded one).
    const groups = new Map<string, { target: DatabaseTarget; pipelines: Array<PipelineEntry> }>()
    for (const p of chosen) {
      const target = yield* targetFor(p.environment)
      const key = describeTarget(target)
      const group = groups.get(key) ?? { target, pipelines: [] }
      group.pipelines.push(p)
      groups.set(key, group)
    }
    const now = new Date()
    const found = new Map<string, FreshnessRow>()
    for (const { target, pipelines } of groups.values()) {
      yield* Effect.forEach(pipelines, (p) =>
        Effect.gen(function* () {
          const integration = yield* (yield* Integrations).find(p.name)
          const lastGood = integration === undefined ? undefined : yield* (yield* Runs).lastGood(integration.id)
          found.set(p.name, freshness({ pipeline: p.name, schedule: p.schedule!, lastGood }, now))
        })
      ).pipe(Effect.provide(storeLayer(target, "read")))
    }
    const rows = chosen.map((p) => found.get(p.name)!)
    yield* Console.log(o.json ? JSON.stringify(rows, null, 2) : renderFreshness(rows))
    if (rows.some((r) => r.state !== "fresh")) return yield* exitWith(Exit.problems)
  }).pipe(Effect.catchAll(reportFailure("freshness")))
