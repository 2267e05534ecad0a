import { it } from "@effect/vitest"
import * as TestServices from "effect/TestServices"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { runSync } from "../../src/sync/runner.ts"
import type { SyncSettings } from "../../src/sync/settings.ts"
import { emulatorWithSource, settingsFor, StoreTest } from "./support/harness.ts"

const plain = { fullRefresh: false, dryRun: false, wait: false } as const

/** Open-item (AP) journal lines per account number, for one company. */
const apLines = (company: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{ number: string; n: number }>`
      SELECT a.number, count(*)::int AS n FROM journal_lines l
      JOIN journal_entries e ON e.id = l.entry_id JOIN companies c ON c.id = e.company_id JOIN ledger_accounts a ON a.id = l.account_id
      WHERE c.key = ${company} AND l.open_item_kind IS NOT NULL GROUP BY a.number ORDER BY a.number`
  )

it.layer(StoreTest, { timeout: "300 seconds" })(
  "the journal's AP control account is the pipeline's ledger.apAccount",
  (it) => {
    it.effect("with two accounts-payable accounts in the chart, postings credit the configured one", () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const base = settingsFor("twoap", yield* emu.snapshot())
        const billcomAp = base.chart.filter((a) => a.type === "accounts-payable").map((a) => a.number)
        expect(billcomAp).toHaveLength(1)
        // A second, ledger-only AP account that is the control account; the Bill.com one stays active.
        const settings: SyncSettings = {
          ...base,
          apAccount: "2090",
          chart: [
            ...base.chart,
            { number: "2090", name: "AP control (ledger)", type: "accounts-payable", active: true }
          ]
        }
        const outcome = yield* runSync(settings, plain)
        expect(outcome.unmet).toEqual([])
        expect(outcome.runs.at(-1)!.status).not.toBe("failed")
        const lines = yield* apLines("twoap-co")
        expect(lines.map((l) => l.number)).toEqual(["2090"])
        expect(lines[0]!.n).toBeGreaterThan(0)
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
    )
  }
)
