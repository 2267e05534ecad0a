import { it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import * as TestServices from "effect/TestServices"
import { Effect, Layer } from "effect"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { LedgerChecks } from "../../src/ledger/invariants.ts"
import { fromCents } from "../../src/ledger/money.ts"
import { agingJson, latePostingsTable, textTable } from "../../src/ledger/render.ts"
import { Reports } from "../../src/ledger/reports.ts"
import { runSync, type RunOptions } from "../../src/sync/runner.ts"
import type { SyncSettings } from "../../src/sync/settings.ts"
import { emulatorWithSource, settingsFor, StoreTest, withAccounting } from "../sync/support/harness.ts"
import { cents, companyOf, entriesOf, openErrorCodes } from "./accounting-support.ts"

const plain: RunOptions = { fullRefresh: false, dryRun: false, wait: false }
const Test = Layer.mergeAll(Reports.Default, LedgerChecks.Default).pipe(Layer.provideMerge(StoreTest))
const CLOSED = "2025-12-31"
const FIRST_OPEN = "2026-01-01"

type Snapshot = Record<string, Array<any>>

/**
 * Issue 15.3 over HTTP from the emulator into a real database: with `ledger.closedThrough`, no
 * entry is dated on or before it — a change in Bill.com to a bill posted in the closed period
 * posts its reversal and new version on the first open day (next-open-period), or nothing and an
 * integration error (error); the database refuses an entry dated in the closed period whatever
 * writes it; the aging as of a closed date stays what the ledger said then.
 */
it.layer(Test, { timeout: "300 seconds" })("closed periods", (it) => {
  it.effect(
    "a change to a 2025 bill lands on the first open day; policy error posts nothing; the database refuses a direct insert",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const emu = yield* Emulator
        const open = (yield* emu.snapshot()) as unknown as Snapshot
        const settings = settingsFor("closed", open, withAccounting)
        yield* runSync(settings, plain)
        const company = yield* companyOf("closed")
        const reports = yield* Reports
        const agingThen = agingJson(yield* reports.aging(company, "USD", CLOSED))
        const tbThen = yield* reports.trialBalance(company, "USD", CLOSED)
        const count = () =>
          Effect.map(
            sql<{ n: number }>`SELECT count(*)::int AS n FROM journal_entries WHERE company_id = ${company}`,
            (r) => r[0]!.n
          )

        // Closing the books through 2025 re-posts nothing.
        const closed: SyncSettings = { ...settings, closedThrough: CLOSED }
        const before = yield* count()
        const lastBefore = (yield* sql<{
          id: string
        }>`SELECT max(id)::text AS id FROM journal_entries WHERE company_id = ${company}`)[0]!.id
        yield* runSync(closed, plain)
        expect(yield* count()).toBe(before)

        // Two 2025 bills the ledger holds, unpaid: one edited under next-open-period, one under error.
        const held = new Set(
          (yield* sql<{
            billcom_id: string
          }>`SELECT billcom_id FROM bills WHERE company_id = ${company} AND NOT archived`).map((b) => b.billcom_id)
        )
        const [moved, refused] = open["bills"]!.filter(
          (b) =>
            held.has(b.id) &&
            b.invoice.invoiceDate >= "2025-01-01" &&
            b.invoice.invoiceDate <= CLOSED &&
            cents(b.dueAmount) === cents(b.amount) &&
            b.billLineItems.length === 1
        )
        expect(refused).toBeDefined()
        yield* emu.advanceClock(60_000)
        yield* emu.mutate({ op: "editBill", id: moved.id, amount: 321.09 })
        yield* runSync(closed, plain)
        const entries = yield* entriesOf(company, moved.id, ["bill"])
        expect(
          entries.map((e) => [
            e.kind,
            e.entryDate,
            e.documentDate,
            e.live,
            e.lines.find((l) => l.account === "2000")!.amount
          ])
        ).toEqual([
          ["posting", moved.invoice.invoiceDate, moved.invoice.invoiceDate, false, fromCents(-cents(moved.amount))],
          ["reversal", FIRST_OPEN, moved.invoice.invoiceDate, false, fromCents(cents(moved.amount))],
          ["posting", FIRST_OPEN, moved.invoice.invoiceDate, true, "-321.09"]
        ])
        // Nothing posted since the books closed is dated in the closed period.
        expect(
          (yield* sql<{
            n: number
          }>`SELECT count(*)::int AS n FROM journal_entries WHERE company_id = ${company} AND id > ${lastBefore} AND entry_date <= ${CLOSED}::date`)[0]!
            .n
        ).toBe(0)
        // The report lists both as late postings.
        const late = yield* reports.latePostings(company, "2026-12-31")
        expect(late.filter((l) => l.sourceId === moved.id).map((l) => [l.kind, l.documentDate, l.postedOn])).toEqual([
          ["reversal", moved.invoice.invoiceDate, FIRST_OPEN],
          ["posting", moved.invoice.invoiceDate, FIRST_OPEN]
        ])
        expect(textTable(latePostingsTable(late, "USD", "2026-12-31"))).toContain(`bill ${moved.id}`)
        // As of the closed date, the ledger still says what it said then; the first open day has the new amount.
        expect(agingJson(yield* reports.aging(company, "USD", CLOSED))).toEqual(agingThen)
        expect(yield* reports.trialBalance(company, "USD", CLOSED)).toEqual(tbThen)
        const after = agingJson(yield* reports.aging(company, "USD", FIRST_OPEN))
        expect(after.vendors.flatMap((v) => v.items).find((i) => i.billcomId === moved.id)!.open).toBe("321.09")

        // Policy error: the change is refused with an integration error; the ledger keeps the bill's 2025 version.
        const strict: SyncSettings = { ...closed, closedPeriodPolicy: "error" }
        const entriesBefore = yield* count()
        yield* emu.advanceClock(60_000)
        yield* emu.mutate({ op: "editBill", id: refused.id, amount: 55.55 })
        yield* runSync(strict, plain)
        expect((yield* openErrorCodes("closed")).get(refused.id)).toBe("closed-period")
        expect(yield* count()).toBe(entriesBefore)
        expect(
          (yield* sql<{
            amount: string
          }>`SELECT amount::text FROM bills WHERE company_id = ${company} AND billcom_id = ${refused.id}`)[0]!.amount
        ).toBe(fromCents(cents(refused.amount)))
        // Switching to next-open-period posts it on the first open day and resolves the error.
        yield* runSync(closed, plain)
        expect((yield* openErrorCodes("closed")).has(refused.id)).toBe(false)
        expect(
          (yield* entriesOf(company, refused.id, ["bill"])).filter((e) => e.entryDate === FIRST_OPEN).map((e) => e.kind)
        ).toEqual(["reversal", "posting"])
        expect(yield* (yield* LedgerChecks).check(company)).toEqual([])

        // The database refuses an entry dated in the closed period, whoever inserts it.
        const direct = yield* sql
          .withTransaction(
            sql`INSERT INTO journal_entries (company_id, kind, source_kind, source_id, version_hash, idempotency_key, entry_date, currency)
            VALUES (${company}, 'posting', 'bill', 'manual', 'x', ${`manual/${company}`}, '2025-06-30', 'USD')`
          )
          .pipe(Effect.flip)
        expect(String((direct as { cause?: unknown }).cause ?? direct)).toMatch(
          /in the closed period \(the books are closed through 2025-12-31\)/
        )
        // …and one in another currency than the functional currency.
        const foreign = yield* sql
          .withTransaction(
            sql`INSERT INTO journal_entries (company_id, kind, source_kind, source_id, version_hash, idempotency_key, entry_date, currency)
            VALUES (${company}, 'posting', 'bill', 'manual', 'x', ${`manual2/${company}`}, '2026-06-30', 'EUR')`
          )
          .pipe(Effect.flip)
        expect(String((foreign as { cause?: unknown }).cause ?? foreign)).toMatch(
          /is in EUR, not the ledger's functional currency USD/
        )
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )
})
