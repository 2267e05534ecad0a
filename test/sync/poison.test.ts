import { it } from "@effect/vitest"
import * as TestServices from "effect/TestServices"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import fc from "fast-check"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import type { Mutation } from "../../src/emulator/mutations.ts"
import { runSync, type RunOptions, type SyncOutcome } from "../../src/sync/runner.ts"
import { stageOrder } from "../../src/sync/stages.ts"
import { emulatorWithSource, settingsFor, StoreTest, withAccounting } from "./support/harness.ts"

/**
 * Poison records over HTTP from the emulator (its `poison` mutation renders raw values Bill.com
 * should never send): each ends as one named integration error, everything else imports, and
 * every stage of the run runs. Issue 13, "One bad record never stops an integration".
 */
const plain: RunOptions = { fullRefresh: false, dryRun: false, wait: false }

type Bill = {
  id: string
  vendorId: string
  approvalStatus: string
  archived: boolean
  amount: number
  invoice: { invoiceDate: string }
}
type Snapshot = { bills: Array<Bill>; vendors: Array<{ id: string; name: string }> }

const openErrors = (pipeline: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{ billcom_id: string; kind: string; code: string; message: string; symptom: string; resolution: string }>`
      SELECT e.billcom_id, e.kind, e.code, e.message, e.symptom, e.resolution FROM integration_errors e JOIN integrations i ON i.id = e.integration_id
      WHERE i.pipeline = ${pipeline} AND e.resolved_at IS NULL ORDER BY e.billcom_id`
  )

const ledgerBills = (company: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{
        billcom_id: string
        amount: string
      }>`SELECT b.billcom_id, b.amount::text FROM bills b JOIN companies c ON c.id = b.company_id
      WHERE c.key = ${company} ORDER BY b.billcom_id`
  ).pipe(Effect.map((rows) => new Map(rows.map((r) => [r.billcom_id, r.amount]))))

/** Every run of the outcome ran every stage and none failed. */
const expectAllStagesRan = (outcome: SyncOutcome) => {
  const full = outcome.runs.at(-1)!
  expect(full.kind).toBe("full")
  expect(full.status).not.toBe("failed")
  expect(full.stages.map((s) => s.stage)).toEqual(stageOrder)
  for (const s of full.stages) expect(s.status, `${s.stage}: ${s.error ?? ""}`).not.toBe("failed")
}

/** Approved bills after the cutoff whose vendor has other such bills, each used once. */
const pick = (snap: Snapshot) => {
  const live = snap.bills.filter(
    (b) =>
      !b.archived &&
      b.approvalStatus === "APPROVED" &&
      b.invoice.invoiceDate >= "2025-01-01" &&
      typeof b.amount === "number"
  )
  let i = 0
  return () => live[i++]!
}

it.layer(StoreTest, { timeout: "300 seconds" })("poison records (issue 13)", (it) => {
  it.effect(
    "each poison kind ends as one named error, a refused vendor's bills wait for it, everything else imports and every stage runs",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const snap = (yield* emu.snapshot()) as unknown as Snapshot
        const next = pick(snap)
        // The vendor whose name gets a NUL: the one with the most bills after the cutoff.
        const counts = new Map<string, number>()
        for (const b of snap.bills)
          if (b.invoice.invoiceDate >= "2025-01-01" && !b.archived)
            counts.set(b.vendorId, (counts.get(b.vendorId) ?? 0) + 1)
        const vendor = [...counts].sort((a, b) => b[1] - a[1])[0]![0]
        const others = () => {
          for (;;) {
            const b = next()
            if (b.vendorId !== vendor) return b
          }
        }
        const [overflow, nulDescription, badDay, badMonth, ansi] = [others(), others(), others(), others(), others()]
        const poisons: Array<[string, Mutation, RegExp]> = [
          [
            overflow.id,
            { op: "poison", collection: "bills", id: overflow.id, set: { amount: 1e17 } },
            /^amount 1e17 is outside the ledger's range \(±10\^15\)$/
          ],
          [
            nulDescription.id,
            { op: "poison", collection: "bills", id: nulDescription.id, set: { description: "office\u0000chairs" } },
            /^NUL character in description$/
          ],
          [
            badDay.id,
            { op: "poison", collection: "bills", id: badDay.id, set: { "invoice.invoiceDate": "2025-02-30" } },
            /^invoice\.invoiceDate "2025-02-30" is not a calendar date$/
          ],
          [
            badMonth.id,
            { op: "poison", collection: "bills", id: badMonth.id, set: { dueDate: "2025-13-01" } },
            /^dueDate "2025-13-01" is not a calendar date$/
          ],
          [
            ansi.id,
            {
              op: "poison",
              collection: "bills",
              id: ansi.id,
              set: { "billLineItems.0.description": "\u001b[2Jcleared" }
            },
            /^control character U\+001B in billLineItems\[0\]\.description$/
          ],
          [
            vendor,
            { op: "updateVendor", id: vendor, name: "Acme\u0000Supplies" },
            /^NUL character in name; NUL character in paymentInformation\.payeeName$/
          ]
        ]
        // A reference organisation (same seed, no poison) synced the same way.
        const settings = withAccounting(settingsFor("poison", snap as unknown as Record<string, unknown>))
        for (const [, m] of poisons) yield* emu.mutate(m)

        const outcome = yield* runSync(settings, plain)
        expect(outcome.runs.map((r) => r.status)).not.toContain("failed")
        expectAllStagesRan(outcome)
        const errors = yield* openErrors("poison")
        for (const [id, , message] of poisons) {
          const mine = errors.filter((e) => e.billcom_id === id)
          expect(
            mine.map((e) => e.code),
            id
          ).toEqual(["invalid-record"])
          expect(mine[0]!.message).toMatch(message)
          expect(mine[0]!.symptom).toBe("Record could not be read")
        }
        // The refused vendor's bills wait for it with their own clear error, not "unmapped".
        const vendorBills = snap.bills.filter(
          (b) =>
            b.vendorId === vendor &&
            !b.archived &&
            b.approvalStatus === "APPROVED" &&
            b.invoice.invoiceDate >= "2024-01-01"
        )
        expect(vendorBills.length).toBeGreaterThan(0)
        for (const b of vendorBills) {
          const e = errors.find((x) => x.billcom_id === b.id)
          expect(e?.code, b.id).toBe("master-record-refused")
          expect(e?.message).toContain(`waits for vendor ${vendor}`)
        }

        // Everything else is what a clean organisation imports: the same sync of the unpoisoned seed.
        const bills = yield* ledgerBills("poison-co")
        for (const [id] of poisons) expect(bills.has(id)).toBe(false)
        const reference = yield* Effect.provide(
          Effect.gen(function* () {
            yield* runSync(
              {
                ...withAccounting(settingsFor("clean", snap as unknown as Record<string, unknown>)),
                company: "clean-co"
              },
              plain
            )
            return yield* ledgerBills("clean-co")
          }),
          emulatorWithSource()
        )
        const excluded = new Set([
          ...poisons.map(([id]) => id),
          ...snap.bills.filter((b) => b.vendorId === vendor).map((b) => b.id)
        ])
        const expected = [...reference].filter(([id]) => !excluded.has(id))
        expect(expected.length).toBeGreaterThan(100)
        expect([...bills].filter(([id]) => !excluded.has(id))).toEqual(expected)

        // Fixed in Bill.com: each record is read again and imports; the bills that waited import too.
        yield* emu.mutate({ op: "updateVendor", id: vendor, name: "Acme Supplies" })
        for (const [id, m] of poisons)
          if (m.op === "poison") yield* emu.mutate({ op: "poison", collection: "bills", id, set: {} })
        const healed = yield* runSync(settings, plain)
        expectAllStagesRan(healed)
        const after = yield* openErrors("poison")
        for (const id of excluded)
          expect(
            after.filter(
              (e) => e.billcom_id === id && (e.code === "invalid-record" || e.code === "master-record-refused")
            )
          ).toEqual([])
        const billsAfter = yield* ledgerBills("poison-co")
        for (const b of vendorBills) expect(billsAfter.has(b.id), b.id).toBe(true)
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect(
    "a record the database refuses for a reason the decoder does not know is isolated as one invalid-record error; the rest of its batch commits with its cursor",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const sql = yield* SqlClient.SqlClient
        const snap = (yield* emu.snapshot()) as unknown as Snapshot
        const victim = pick(snap)()
        yield* emu.mutate({
          op: "poison",
          collection: "bills",
          id: victim.id,
          set: { description: "the database refuses this one" }
        })
        // The last defence: a database rule this program knows nothing about.
        yield* sql.unsafe(`CREATE OR REPLACE FUNCTION refuse_one_bill() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.description = 'the database refuses this one' THEN RAISE EXCEPTION 'bill % is refused by a site rule', NEW.billcom_id; END IF; RETURN NEW; END $$`)
        yield* sql.unsafe(
          `CREATE TRIGGER refuse_one_bill BEFORE INSERT OR UPDATE ON bills FOR EACH ROW EXECUTE FUNCTION refuse_one_bill()`
        )
        const outcome = yield* runSync(
          withAccounting(settingsFor("refused", snap as unknown as Record<string, unknown>)),
          plain
        ).pipe(Effect.ensuring(Effect.orDie(sql.unsafe(`DROP TRIGGER refuse_one_bill ON bills`))))
        expectAllStagesRan(outcome)
        const billsStage = outcome.runs.at(-1)!.stages.find((s) => s.stage === "bills")!
        const errors = yield* openErrors("refused")
        const mine = errors.filter((e) => e.billcom_id === victim.id)
        expect(mine.map((e) => e.code)).toEqual(["invalid-record"])
        expect(mine[0]!.message).toContain(`bill ${victim.id} is refused by a site rule`)
        expect(mine[0]!.message).toContain("the ledger database refused this record")
        const bills = yield* ledgerBills("refused-co")
        expect(bills.has(victim.id)).toBe(false)
        // Counted once, as an error; the other bills imported; the list's cursor moved past the batch.
        expect(billsStage.counts.inserted).toBe(bills.size)
        expect(billsStage.counts.inserted).toBeGreaterThan(100)
        const [cursor] = yield* sql<{
          n: number
        }>`SELECT count(*)::int AS n FROM sync_cursors c JOIN integrations i ON i.id = c.integration_id WHERE i.pipeline = 'refused' AND c.stream = 'bills'`
        expect(cursor!.n).toBe(1)
        // The next run leaves it alone (unchanged in Bill.com) and stays clean.
        const again = yield* runSync(
          withAccounting(settingsFor("refused", snap as unknown as Record<string, unknown>)),
          plain
        )
        expectAllStagesRan(again)
        expect((yield* openErrors("refused")).filter((e) => e.billcom_id === victim.id).map((e) => e.code)).toEqual([
          "invalid-record"
        ])
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect(
    "warnings, not silence: lines that do not add up, a negative bill, two different copies in one read, an unreadable currency",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const snap = (yield* emu.snapshot()) as unknown as Snapshot
        const next = pick(snap)
        const [uneven, negative, twice] = [next(), next(), next()]
        yield* emu.mutate({ op: "poison", collection: "bills", id: uneven.id, set: { amount: uneven.amount + 10 } })
        yield* emu.mutate({
          op: "poison",
          collection: "bills",
          id: negative.id,
          set: { amount: -uneven.amount, "billLineItems.0.amount": -uneven.amount }
        })
        yield* emu.mutate({
          op: "poison",
          collection: "bills",
          id: twice.id,
          duplicate: { description: "the other copy" }
        })
        const euro = (yield* emu.mutate({ op: "createVendor", name: "Euro Vendor", billCurrency: "EUR" })).ids[0]!
        yield* emu.mutate({ op: "poison", collection: "vendors", id: euro, set: { billCurrency: "Euro" } })
        const euroBill = (yield* emu.mutate({
          op: "createBill",
          vendorId: euro,
          invoiceDate: "2026-09-01",
          amount: 50
        })).ids[0]!
        const base = withAccounting(settingsFor("warn", yield* emu.snapshot()))
        const outcome = yield* runSync(base, plain)
        expectAllStagesRan(outcome)
        const errors = yield* openErrors("warn")
        const codeOf = (id: string) => errors.filter((e) => e.billcom_id === id).map((e) => e.code)
        expect(codeOf(uneven.id)).toEqual(["lines-differ-from-amount"])
        expect(errors.find((e) => e.billcom_id === uneven.id)!.message).toMatch(
          /its lines add up to .* but its amount is .*; 10\.00 posts as a "difference between the document total and its lines" line/
        )
        expect(codeOf(negative.id)).toEqual(["negative-amount"])
        expect(codeOf(twice.id)).toEqual(["duplicate-in-read"])
        expect(codeOf(euroBill)).toEqual(["currency-unreadable"])
        expect(errors.find((e) => e.billcom_id === euroBill)!.message).toContain(
          `currency "EURO" is not a three-letter ISO 4217 code`
        )
        // The warned ones import as Bill.com has them; the one in an unknown currency is not posted in any.
        const bills = yield* ledgerBills("warn-co")
        expect(bills.get(uneven.id)).toBe((uneven.amount + 10).toFixed(2))
        expect(bills.get(negative.id)).toBe((-uneven.amount).toFixed(2))
        expect(bills.has(twice.id)).toBe(true)
        expect(bills.has(euroBill)).toBe(false)
        for (const e of errors.filter((x) => [uneven.id, negative.id, twice.id].includes(x.billcom_id)))
          expect(e.symptom).toMatch(/\(warning\)$/)
        // Corrected in Bill.com: the warnings close.
        for (const b of [uneven, negative, twice])
          yield* emu.mutate({ op: "poison", collection: "bills", id: b.id, set: {} })
        yield* runSync(base, plain)
        const after = yield* openErrors("warn")
        expect(after.filter((e) => [uneven.id, negative.id, twice.id].includes(e.billcom_id))).toEqual([])
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect("fuzz: hostile field values through decode → write never fail a batch, a stage or the run", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const sql = yield* SqlClient.SqlClient
      const snap = (yield* emu.snapshot()) as unknown as Snapshot
      const settings = withAccounting(settingsFor("fuzz", snap as unknown as Record<string, unknown>))
      yield* runSync(settings, plain)
      const live = snap.bills.filter(
        (b) => !b.archived && b.approvalStatus === "APPROVED" && b.invoice.invoiceDate >= "2025-01-01"
      )
      const paths = [
        "amount",
        "description",
        "dueDate",
        "invoice.invoiceDate",
        "invoice.invoiceNumber",
        "billLineItems.0.amount",
        "billLineItems.0.quantity",
        "billLineItems.0.price",
        "billLineItems.0.description",
        "exchangeRate",
        "fundingAmount",
        "updatedTime",
        "classifications",
        "billLineItems",
        "vendorName",
        "unknownField"
      ]
      const text = fc.oneof(
        fc.string({ unit: "binary", maxLength: 12 }),
        fc.constantFrom(
          "\u0000",
          "a\u0000b",
          "\ud800",
          "x\udc00",
          "\u001b[31m",
          "\u007f",
          "2025-02-30",
          "2025-13-01",
          "0000-01-01",
          "9999-12-31T23:59:59Z",
          "'; DROP TABLE bills; --"
        )
      )
      const number = fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(1e17, -1e17, 1e15, 999999999999999.9, 1e-9, -0.001, 0, 123456789.125)
      )
      const value: fc.Arbitrary<unknown> = fc.oneof(
        text,
        number,
        fc.constant(null),
        fc.boolean(),
        fc.array(text, { maxLength: 2 }),
        fc.dictionary(text, text, { maxKeys: 2 })
      )
      const hostile = fc.record({
        bill: fc.nat({ max: live.length - 1 }),
        fields: fc.array(fc.tuple(fc.constantFrom(...paths), value), { minLength: 1, maxLength: 3 })
      })
      // Seeded samples, no shrinking: each case is a whole incremental sync, and the runtime stays bounded.
      const cases = [
        { bill: 0, fields: [["updatedTime", "9999-12-31T23:59:59Z"]] as Array<[string, unknown]> },
        ...fc.sample(hostile, { numRuns: 12, seed: 20261203 })
      ]
      for (const { bill, fields } of cases) {
        const id = live[bill]!.id
        const what = JSON.stringify(fields)
        yield* emu.mutate({ op: "poison", collection: "bills", id, set: Object.fromEntries(fields) })
        const outcome = yield* runSync(settings, plain).pipe(
          Effect.catchAllCause((cause) => Effect.die(new Error(`${what}: the sync failed: ${String(cause)}`)))
        )
        expectAllStagesRan(outcome)
        // The record either imported or has one open error saying why.
        const errors = (yield* openErrors("fuzz")).filter((e) => e.billcom_id === id)
        const imported = (yield* ledgerBills("fuzz-co")).has(id)
        expect(errors.length === 1 || imported, what).toBe(true)
        // No value moves the list's cursor past now (a future updatedTime would hide every later change).
        const [cursor] = yield* sql<{
          ahead: boolean
        }>`SELECT c.updated_since > now() + interval '1 day' AS ahead FROM sync_cursors c
          JOIN integrations i ON i.id = c.integration_id WHERE i.pipeline = 'fuzz' AND c.stream = 'bills'`
        expect(cursor?.ahead, what).toBe(false)
        yield* emu.mutate({ op: "poison", collection: "bills", id, set: {} })
      }
    }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )
})
