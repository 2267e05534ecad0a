import { it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Cause, Effect, Exit } from "effect"
import { expect } from "vitest"
import { LedgerChecks } from "../../src/ledger/invariants.ts"
import { Journal } from "../../src/ledger/journal.ts"
import { LedgerPayables, type BillWrite } from "../../src/ledger/payables.ts"
import { billLine, billWrite, LedgerTest, makeFixture, storeCreditRaw, type Fixture } from "./support.ts"

const bill = (f: Fixture, id: string, amounts: ReadonlyArray<string>, date = "2025-03-01", total?: string): BillWrite =>
  billWrite({
    billcomId: id,
    vendorId: f.vendors[0]!,
    invoiceDate: date,
    dueDate: "2025-03-31",
    amount: total ?? amounts.reduce((s, a) => (Number(s) * 100 + Number(a) * 100) / 100, 0).toFixed(2),
    lines: amounts.map((a, i) => billLine(i + 1, f.expenses[i % 2]!, a, { description: `line ${i + 1}` }))
  })

const entries = (companyId: number, source: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{
        id: string
        kind: string
        entry_date: string
        reverses: string | null
        lines: Array<{ account_id: number; amount: string; open_item_id: string | null }>
      }>`
      SELECT e.id::text, e.kind, e.entry_date::text, e.reverses_entry_id::text AS reverses,
        (SELECT json_agg(json_build_object('account_id', l.account_id, 'amount', l.amount::text, 'open_item_id', l.open_item_id) ORDER BY l.line_no)
         FROM journal_lines l WHERE l.entry_id = e.id) AS lines
      FROM journal_entries e WHERE e.company_id = ${companyId} AND e.source_id = ${source} ORDER BY e.id`
  )

const inTx = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.withTransaction(effect))

/** Bill 00n02B (80.00, invoice 2025-02-10) and credit vcr02C (45.00, 2025-01-15) applying 30.00 of it. */
const billWithAppliedCredit = (f: Fixture) =>
  Effect.gen(function* () {
    const payables = yield* LedgerPayables
    const journal = yield* Journal
    yield* inTx(
      Effect.zipRight(
        payables.writeBills(f.companyId, [bill(f, "00n02B", ["80.00"], "2025-02-10")]),
        journal.postBills(f.companyId, ["00n02B"])
      )
    )
    yield* inTx(
      Effect.gen(function* () {
        yield* storeCreditRaw(f, "vcr02C", [{ billId: "00n02B", amount: 30 }])
        yield* payables.writeVendorCredits(f.companyId, [
          {
            billcomId: "vcr02C",
            vendorId: f.vendors[0]!,
            referenceNumber: "CM-1",
            creditDate: "2025-01-15",
            amount: "45.00",
            appliedAmount: "30.00",
            status: "PARTIALLY_APPLIED",
            description: null,
            archived: false,
            updatedTime: null,
            lines: [
              {
                line_no: 1,
                billcom_id: null,
                account_id: f.expenses[1]!,
                item_id: null,
                customer_id: null,
                dimension_ids: [],
                description: null,
                amount: "45.00"
              }
            ]
          }
        ])
        expect(yield* journal.postVendorCredits(f.companyId, ["vcr02C"])).toEqual({
          posted: 0,
          reversed: 0,
          unchanged: 2
        })
      })
    )
  })

it.layer(LedgerTest, { timeout: "120 seconds" })("journal postings", (it) => {
  it.effect(
    "a bill posts DR lines / CR AP tagged with vendor and the bill; an edit posts a reversal and a new entry; re-posting is a no-op",
    () =>
      Effect.gen(function* () {
        const f = yield* makeFixture
        const payables = yield* LedgerPayables
        const journal = yield* Journal
        const first = yield* inTx(
          Effect.zipRight(
            payables.writeBills(f.companyId, [bill(f, "00n02A", ["100.10", "0.05"])]),
            journal.postBills(f.companyId, ["00n02A"])
          )
        )
        // LedgerPayables' write already posted inside the same transaction (the sync hook); posting again is a no-op.
        expect(first).toEqual({ posted: 0, reversed: 0, unchanged: 1 })
        const [posting] = yield* entries(f.companyId, "00n02A")
        expect(posting!.lines).toEqual([
          { account_id: f.expenses[0], amount: "100.10", open_item_id: null },
          { account_id: f.expenses[1], amount: "0.05", open_item_id: null },
          { account_id: f.ap, amount: "-100.15", open_item_id: "00n02A" }
        ])
        expect(yield* inTx(journal.postBills(f.companyId, ["00n02A"]))).toEqual({
          posted: 0,
          reversed: 0,
          unchanged: 1
        })

        yield* inTx(
          Effect.zipRight(
            payables.writeBills(f.companyId, [bill(f, "00n02A", ["120.00"], "2025-03-02")]),
            journal.postBills(f.companyId, ["00n02A"])
          )
        )
        const after = yield* entries(f.companyId, "00n02A")
        expect(after.map((e) => [e.kind, e.reverses])).toEqual([
          ["posting", null],
          ["reversal", posting!.id],
          ["posting", null]
        ])
        expect(after[1]!.lines.map((l) => l.amount)).toEqual(["-100.10", "-0.05", "100.15"])
        expect(after[1]!.entry_date).toBe("2025-03-01")
        expect(after[2]!.lines.map((l) => l.amount)).toEqual(["120.00", "-120.00"])

        yield* inTx(
          Effect.zipRight(
            payables.archive("bills", f.companyId, ["00n02A"]),
            journal.postBills(f.companyId, ["00n02A"])
          )
        )
        const archived = yield* entries(f.companyId, "00n02A")
        expect(archived.map((e) => e.kind)).toEqual(["posting", "reversal", "posting", "reversal"])
        expect(archived[3]!.reverses).toBe(archived[2]!.id)
        expect(yield* (yield* LedgerChecks).check(f.companyId)).toEqual([])
      })
  )

  it.effect(
    "a bill whose total differs from its lines credits AP the total and shows the difference on its own line",
    () =>
      Effect.gen(function* () {
        const f = yield* makeFixture
        const payables = yield* LedgerPayables
        yield* inTx(
          Effect.zipRight(
            payables.writeBills(f.companyId, [bill(f, "00n02D", ["33.33", "33.33", "33.33"], "2025-01-01", "100.00")]),
            (yield* Journal).postBills(f.companyId, ["00n02D"])
          )
        )
        const [e] = yield* entries(f.companyId, "00n02D")
        expect(e!.lines.map((l) => l.amount)).toEqual(["33.33", "33.33", "33.33", "0.01", "-100.00"])
      })
  )

  it.effect(
    "a payment debits AP per bill paid (rest unapplied) and credits its funding account's ledger account; voiding reverses it",
    () =>
      Effect.gen(function* () {
        const f = yield* makeFixture
        const payables = yield* LedgerPayables
        const journal = yield* Journal
        const pay = (status: string) =>
          inTx(
            Effect.zipRight(
              payables.writeVendorPayments(f.companyId, [
                {
                  billcomId: "stp02P",
                  vendorId: f.vendors[0]!,
                  processDate: "2025-04-01",
                  amount: "150.00",
                  fundingAccountId: f.cardAccount,
                  cashAccountId: f.card,
                  status,
                  description: null,
                  updatedTime: null,
                  applications: [
                    { line_no: 1, billcom_id: "blp1", billcom_bill_id: "00n02X", bill_id: null, amount: "100.00" }
                  ]
                }
              ]),
              journal.postVendorPayments(f.companyId, ["stp02P"])
            )
          )
        yield* pay("PAID")
        const [e] = yield* entries(f.companyId, "stp02P")
        expect(e!.lines).toEqual([
          { account_id: f.ap, amount: "100.00", open_item_id: "00n02X" },
          { account_id: f.ap, amount: "50.00", open_item_id: "stp02P" },
          { account_id: f.card, amount: "-150.00", open_item_id: null }
        ])
        yield* pay("VOID")
        const voided = yield* entries(f.companyId, "stp02P")
        expect(voided.map((x) => [x.kind, x.reverses])).toEqual([
          ["posting", null],
          ["reversal", e!.id]
        ])
        expect(voided[1]!.lines.map((l) => l.amount)).toEqual(["-100.00", "-50.00", "150.00"])
        expect(yield* pay("VOID")).toEqual({ posted: 0, reversed: 0, unchanged: 1 })
        expect(yield* entries(f.companyId, "stp02P")).toHaveLength(2)
        expect(yield* (yield* LedgerChecks).check(f.companyId)).toEqual([])
      })
  )

  it.effect(
    "editing or archiving a bill re-dates the applications of credits applied to it at once; re-posting then changes nothing",
    () =>
      Effect.gen(function* () {
        const f = yield* makeFixture
        const payables = yield* LedgerPayables
        const journal = yield* Journal
        yield* billWithAppliedCredit(f)
        // The live application: the latest posting whose lines settle the bill.
        const liveApplicationDate = Effect.map(
          entries(f.companyId, "vcr02C"),
          (rows) =>
            rows.filter((e) => e.kind === "posting" && e.lines.some((l) => l.open_item_id === "00n02B")).at(-1)!
              .entry_date
        )
        expect(yield* liveApplicationDate).toBe("2025-02-10")
        yield* inTx(payables.writeBills(f.companyId, [bill(f, "00n02B", ["80.00"], "2025-03-05")]))
        expect(yield* liveApplicationDate).toBe("2025-03-05")
        expect(yield* inTx(journal.postAll(f.companyId))).toMatchObject({ posted: 0, reversed: 0 })
        // An archived bill no longer dates the application: the credit's own date does.
        yield* inTx(payables.archive("bills", f.companyId, ["00n02B"]))
        expect(yield* liveApplicationDate).toBe("2025-01-15")
        expect(yield* inTx(journal.postAll(f.companyId))).toMatchObject({ posted: 0, reversed: 0 })
        expect(yield* (yield* LedgerChecks).check(f.companyId)).toEqual([])
      })
  )

  it.effect("a vendor credit posts the mirror of a bill, and its application to a bill is its own AP-to-AP entry", () =>
    Effect.gen(function* () {
      const f = yield* makeFixture
      yield* billWithAppliedCredit(f)
      const [credit, application] = yield* entries(f.companyId, "vcr02C")
      expect(credit!.lines).toEqual([
        { account_id: f.ap, amount: "45.00", open_item_id: "vcr02C" },
        { account_id: f.expenses[1], amount: "-45.00", open_item_id: null }
      ])
      expect(application!.entry_date).toBe("2025-02-10") // not before the bill it settles
      expect(application!.lines).toEqual([
        { account_id: f.ap, amount: "30.00", open_item_id: "00n02B" },
        { account_id: f.ap, amount: "-30.00", open_item_id: "vcr02C" }
      ])
      expect(yield* (yield* LedgerChecks).check(f.companyId)).toEqual([])
    })
  )

  it.effect(
    "the database refuses updates, deletes, truncation, unbalanced entries, a second live posting and a second reversal",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const f = yield* makeFixture
        const payables = yield* LedgerPayables
        yield* inTx(
          Effect.zipRight(
            payables.writeBills(f.companyId, [bill(f, "00n02I", ["10.00"])]),
            (yield* Journal).postBills(f.companyId, ["00n02I"])
          )
        )
        const [posting] = yield* entries(f.companyId, "00n02I")
        // The database's own message: SqlError wraps the driver error; a failed COMMIT (deferred triggers) surfaces as a defect.
        const refused = (effect: Effect.Effect<unknown, unknown>) =>
          Effect.map(Effect.exit(inTx(effect)), (e) => {
            if (Exit.isSuccess(e)) return "accepted"
            const error = Cause.squash(e.cause) as { cause?: { message?: string }; message?: string }
            return error.cause?.message ?? error.message ?? String(error)
          })

        expect(yield* refused(sql`UPDATE journal_lines SET amount = 11 WHERE entry_id = ${posting!.id}`)).toContain(
          "append-only"
        )
        expect(yield* refused(sql`DELETE FROM journal_entries WHERE id = ${posting!.id}`)).toContain("append-only")
        expect(yield* refused(sql`TRUNCATE journal_lines`)).toContain("append-only")

        const entry = (key: string, kind = "posting", reverses: string | null = null) =>
          sql<{
            id: string
          }>`INSERT INTO journal_entries (company_id, kind, source_kind, source_id, version_hash, idempotency_key, reverses_entry_id, entry_date, currency)
          VALUES (${f.companyId}, ${kind}, 'bill', '00n02I', 'h', ${key}, ${reverses}, '2025-01-01', 'USD') RETURNING id::text`
        const lines = (id: string, a: string, b: string) =>
          sql`INSERT INTO journal_lines (entry_id, line_no, account_id, amount) VALUES (${id}, 1, ${f.bank}, ${a}), (${id}, 2, ${f.ap}, ${b})`

        expect(yield* refused(Effect.flatMap(entry("unbalanced"), ([e]) => lines(e!.id, "10.00", "-9.99")))).toContain(
          "does not balance"
        )
        expect(yield* refused(entry("no-lines"))).toContain("has 0 line(s)")
        expect(yield* refused(Effect.flatMap(entry("second"), ([e]) => lines(e!.id, "5.00", "-5.00")))).toContain(
          "live postings"
        )
        // Reversing the live posting outside the service leaves the head pointing at a reversed entry.
        expect(
          yield* refused(
            Effect.flatMap(
              entry("rev", "reversal", posting!.id),
              ([e]) => sql`INSERT INTO journal_lines (entry_id, line_no, account_id, amount)
        VALUES (${e!.id}, 1, ${f.expenses[0]}, '-10.00'), (${e!.id}, 2, ${f.ap}, '10.00')`
            )
          )
        ).toContain("reversed posting")
        // A line added later to a committed entry unbalances it.
        expect(
          yield* refused(
            sql`INSERT INTO journal_lines (entry_id, line_no, account_id, amount) VALUES (${posting!.id}, 9, ${f.bank}, '1.00')`
          )
        ).toContain("does not balance")

        // The service's own reversal is accepted; a second reversal of the same entry is not.
        yield* inTx(
          Effect.zipRight(
            payables.archive("bills", f.companyId, ["00n02I"]),
            (yield* Journal).postBills(f.companyId, ["00n02I"])
          )
        )
        expect(
          yield* refused(Effect.flatMap(entry("rev2", "reversal", posting!.id), ([e]) => lines(e!.id, "1.00", "-1.00")))
        ).toContain("journal_entries_reverses_entry_id_key")
        expect(yield* (yield* LedgerChecks).check(f.companyId)).toEqual([])
      })
  )
})
