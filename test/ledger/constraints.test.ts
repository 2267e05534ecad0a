import { it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Cause, Effect, Exit } from "effect"
import { expect } from "vitest"
import { LedgerChecks } from "../../src/ledger/invariants.ts"
import { LedgerPayables, type BillWrite } from "../../src/ledger/payables.ts"
import { billLine, billWrite, LedgerTest, makeFixture, type Fixture } from "./support.ts"

/*
 * The commit-time journal checks run once per transaction over every entry it touched (migration
 * 0060): a violation must be found among many valid entries, whichever statement brought it, and
 * also after SET CONSTRAINTS ALL IMMEDIATE already ran the check once in the transaction.
 */

const bill = (f: Fixture, id: string, amount: string): BillWrite =>
  billWrite({
    billcomId: id,
    vendorId: f.vendors[0]!,
    invoiceDate: "2025-02-01",
    amount,
    lines: [billLine(1, f.expenses[0]!, amount)]
  })

it.layer(LedgerTest, { timeout: "120 seconds" })("journal commit-time checks", (it) => {
  it.effect(
    "a bad entry among a batch of good ones is refused, with the database's reason; the good batch alone commits",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const f = yield* makeFixture
        const payables = yield* LedgerPayables
        const batch = Array.from({ length: 60 }, (_, i) => bill(f, `00n02B${i}`, `${i + 1}.00`))
        yield* sql.withTransaction(payables.writeBills(f.companyId, batch.slice(0, 2)))
        const [a, b] = yield* sql<{ id: string; source_id: string }>`SELECT id::text, source_id FROM journal_entries
        WHERE company_id = ${f.companyId} AND source_id IN ('00n02B0', '00n02B1') ORDER BY source_id`
        const refused = (bad: Effect.Effect<unknown, unknown>) =>
          Effect.map(
            Effect.exit(sql.withTransaction(Effect.zipRight(payables.writeBills(f.companyId, batch.slice(2)), bad))),
            (e) => {
              if (Exit.isSuccess(e)) return "accepted"
              const error = Cause.squash(e.cause) as { cause?: { message?: string }; message?: string }
              return error.cause?.message ?? error.message ?? String(error)
            }
          )
        const entry = (key: string, source: string, kind = "posting", reverses: string | null = null) =>
          sql<{
            id: string
          }>`INSERT INTO journal_entries (company_id, kind, source_kind, source_id, version_hash, idempotency_key, reverses_entry_id, entry_date, currency)
          VALUES (${f.companyId}, ${kind}, 'bill', ${source}, 'h', ${key}, ${reverses}, '2025-02-01', 'USD') RETURNING id::text`.pipe(
            Effect.map((r) => r[0]!.id)
          )
        const lines = (id: string, rows: ReadonlyArray<[number, string]>) =>
          sql`INSERT INTO journal_lines ${sql.insert(rows.map(([account, amount], i) => ({ entry_id: Number(id), line_no: i + 1, account_id: account, amount })))}`

        expect(
          yield* refused(Effect.flatMap(entry("one-line", "00n02X"), (id) => lines(id, [[f.bank, "0.01"]])))
        ).toContain("has 1 line(s)")
        // Reversing bill B0's posting under bill B1's name.
        expect(
          yield* refused(
            Effect.flatMap(
              entry("other-source", a!.source_id === "00n02B0" ? "00n02B1" : "00n02B0", "reversal", a!.id),
              (id) =>
                lines(id, [
                  [f.expenses[0]!, "-1.00"],
                  [f.ap, "1.00"]
                ])
            )
          )
        ).toContain("another source")
        // A reversal that balances but does not mirror its posting (other account).
        expect(
          yield* refused(
            Effect.flatMap(entry("not-mirror", a!.source_id, "reversal", a!.id), (id) =>
              lines(id, [
                [f.bank, "-1.00"],
                [f.ap, "1.00"]
              ])
            )
          )
        ).toContain("exact mirror")
        // Reversing B1 and posting a new version without moving its head: the head no longer points at the live posting.
        expect(
          yield* refused(
            Effect.gen(function* () {
              yield* lines(yield* entry("rev-b1", b!.source_id, "reversal", b!.id), [
                [f.expenses[0]!, "-2.00"],
                [f.ap, "2.00"]
              ])
              yield* lines(yield* entry("new-b1", b!.source_id), [
                [f.expenses[0]!, "3.00"],
                [f.ap, "-3.00"]
              ])
            })
          )
        ).toContain("does not point at its live posting")
        // The check already ran once (IMMEDIATE); an entry inserted afterwards is still checked at commit.
        expect(
          yield* refused(
            Effect.gen(function* () {
              yield* sql`SET CONSTRAINTS ALL IMMEDIATE`
              yield* sql`SET CONSTRAINTS ALL DEFERRED`
              yield* lines(yield* entry("late", "00n02Y"), [
                [f.bank, "5.00"],
                [f.ap, "-4.00"]
              ])
            })
          )
        ).toContain("does not balance")

        // Nothing of the refused transactions stayed; the batch alone commits and every invariant holds.
        expect(
          (yield* sql<{
            n: number
          }>`SELECT count(*)::int AS n FROM journal_entries WHERE company_id = ${f.companyId}`)[0]!.n
        ).toBe(2)
        yield* sql.withTransaction(payables.writeBills(f.companyId, batch.slice(2)))
        expect(
          (yield* sql<{
            n: number
          }>`SELECT count(*)::int AS n FROM journal_entries WHERE company_id = ${f.companyId}`)[0]!.n
        ).toBe(60)
        expect((yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM journal_pending`)[0]!.n).toBe(0)
        expect(yield* (yield* LedgerChecks).check(f.companyId)).toEqual([])
      })
  )
})
