import { it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Runtime } from "effect"
import fc from "fast-check"
import { expect } from "vitest"
import { LedgerChecks } from "../../src/ledger/invariants.ts"
import { Journal } from "../../src/ledger/journal.ts"
import { fromCents } from "../../src/ledger/money.ts"
import { LedgerPayables, type BillWrite } from "../../src/ledger/payables.ts"
import {
  accountBalances,
  billLine,
  billWrite,
  LedgerTest,
  makeFixture,
  storeCreditRaw,
  type Fixture
} from "./support.ts"

/** Random sequences of Bill.com changes (create, edit, pay, void, credit, archive, re-post) applied through the posting service. */
type Lines = ReadonlyArray<{ readonly account: number; readonly cents: number }>
type Cmd =
  | { readonly op: "bill"; readonly vendor: number; readonly lines: Lines; readonly day: number }
  | { readonly op: "editBill"; readonly pick: number; readonly lines: Lines; readonly day: number }
  | { readonly op: "archiveBill"; readonly pick: number }
  | {
      readonly op: "pay"
      readonly picks: ReadonlyArray<number>
      readonly share: number
      readonly extra: number
      readonly card: boolean
      readonly vendor: number
    }
  | { readonly op: "voidPayment"; readonly pick: number }
  | {
      readonly op: "credit"
      readonly vendor: number
      readonly account: number
      readonly cents: number
      readonly apply: number | null
    }
  | { readonly op: "editCredit"; readonly pick: number; readonly cents: number }
  | { readonly op: "archiveCredit"; readonly pick: number }
  | { readonly op: "repost" }

const lines = fc.array(
  fc.record({ account: fc.integer({ min: 0, max: 2 }), cents: fc.integer({ min: -5_000, max: 500_000 }) }),
  { minLength: 1, maxLength: 4 }
)
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant("bill" as const),
      vendor: fc.integer({ min: 0, max: 2 }),
      lines,
      day: fc.integer({ min: 0, max: 300 })
    }),
    weight: 4
  },
  {
    arbitrary: fc.record({
      op: fc.constant("editBill" as const),
      pick: fc.nat(),
      lines,
      day: fc.integer({ min: 0, max: 300 })
    }),
    weight: 2
  },
  { arbitrary: fc.record({ op: fc.constant("archiveBill" as const), pick: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      op: fc.constant("pay" as const),
      picks: fc.array(fc.nat(), { maxLength: 3 }),
      share: fc.integer({ min: 1, max: 100 }),
      extra: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10_000 })),
      card: fc.boolean(),
      vendor: fc.integer({ min: 0, max: 2 })
    }),
    weight: 3
  },
  { arbitrary: fc.record({ op: fc.constant("voidPayment" as const), pick: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      op: fc.constant("credit" as const),
      vendor: fc.integer({ min: 0, max: 2 }),
      account: fc.integer({ min: 0, max: 2 }),
      cents: fc.integer({ min: 1, max: 50_000 }),
      apply: fc.option(fc.nat(), { nil: null })
    }),
    weight: 2
  },
  {
    arbitrary: fc.record({
      op: fc.constant("editCredit" as const),
      pick: fc.nat(),
      cents: fc.integer({ min: 1, max: 50_000 })
    }),
    weight: 1
  },
  { arbitrary: fc.record({ op: fc.constant("archiveCredit" as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.constant({ op: "repost" as const }), weight: 1 }
)

interface ModelBill {
  vendor: number
  lines: Lines
  day: number
  archived: boolean
}
interface ModelPayment {
  vendor: number
  apps: Array<{ bill: string; cents: number }>
  extra: number
  card: boolean
  voided: boolean
}
interface ModelCredit {
  vendor: number
  account: number
  cents: number
  usage: Array<{ bill: string; cents: number }>
  archived: boolean
}

const date = (day: number) => new Date(Date.UTC(2025, 0, 1 + day)).toISOString().slice(0, 10)
const money = (cents: number) => fromCents(BigInt(cents))

const run = (f: Fixture, cmds: ReadonlyArray<Cmd>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const payables = yield* LedgerPayables
    const journal = yield* Journal
    const checks = yield* LedgerChecks
    const bills = new Map<string, ModelBill>()
    const payments = new Map<string, ModelPayment>()
    const credits = new Map<string, ModelCredit>()
    const at = <V>(m: Map<string, V>, pick: number): [string, V] | undefined => [...m][pick % Math.max(m.size, 1)]

    const writeBill = (id: string, b: ModelBill): BillWrite =>
      billWrite({
        billcomId: id,
        vendorId: f.vendors[b.vendor]!,
        invoiceNumber: id,
        invoiceDate: date(b.day),
        dueDate: date(b.day + 30),
        amount: money(b.lines.reduce((s, l) => s + l.cents, 0)),
        lines: b.lines.map((l, i) => billLine(i + 1, f.expenses[l.account]!, money(l.cents)))
      })
    const writeCredit = (id: string, c: ModelCredit) =>
      Effect.gen(function* () {
        yield* storeCreditRaw(
          f,
          id,
          c.usage.map((u) => ({ billId: u.bill, amount: u.cents / 100 }))
        )
        yield* payables.writeVendorCredits(f.companyId, [
          {
            billcomId: id,
            vendorId: f.vendors[c.vendor]!,
            referenceNumber: id,
            creditDate: date(10),
            amount: money(c.cents),
            appliedAmount: money(c.usage.reduce((s, u) => s + u.cents, 0)),
            status: null,
            description: null,
            archived: false,
            updatedTime: null,
            lines: [
              {
                line_no: 1,
                billcom_id: null,
                account_id: f.expenses[c.account]!,
                item_id: null,
                customer_id: null,
                dimension_ids: [],
                description: null,
                amount: money(c.cents)
              }
            ]
          }
        ])
        yield* journal.postVendorCredits(f.companyId, [id])
      })
    const writePayment = (id: string, p: ModelPayment) =>
      Effect.gen(function* () {
        const total = p.apps.reduce((s, a) => s + a.cents, 0) + p.extra
        yield* payables.writeVendorPayments(f.companyId, [
          {
            billcomId: id,
            vendorId: f.vendors[p.vendor]!,
            processDate: date(200),
            amount: money(total),
            fundingAccountId: p.card ? f.cardAccount : f.bankAccount,
            cashAccountId: p.card ? f.card : f.bank,
            status: p.voided ? "VOID" : "PAID",
            description: null,
            updatedTime: null,
            applications: p.apps.map((a, i) => ({
              line_no: i + 1,
              billcom_id: null,
              billcom_bill_id: a.bill,
              bill_id: null,
              amount: money(a.cents)
            }))
          }
        ])
        yield* journal.postVendorPayments(f.companyId, [id])
      })

    let n = 0
    for (const c of cmds) {
      n++
      const step = Effect.gen(function* () {
        switch (c.op) {
          case "bill": {
            const id = `00n02B${n}`
            const b = { vendor: c.vendor, lines: c.lines, day: c.day, archived: false }
            bills.set(id, b)
            yield* payables.writeBills(f.companyId, [writeBill(id, b)])
            yield* journal.postBills(f.companyId, [id])
            break
          }
          case "editBill": {
            const hit = at(bills, c.pick)
            if (hit === undefined || hit[1].archived) return
            const b = { ...hit[1], lines: c.lines, day: c.day }
            bills.set(hit[0], b)
            yield* payables.writeBills(f.companyId, [writeBill(hit[0], b)])
            yield* journal.postBills(f.companyId, [hit[0]])
            break
          }
          case "archiveBill": {
            const hit = at(bills, c.pick)
            if (hit === undefined) return
            hit[1].archived = true
            yield* payables.archive("bills", f.companyId, [hit[0]])
            yield* journal.postBills(f.companyId, [hit[0]])
            break
          }
          case "pay": {
            const first = at(bills, c.picks[0] ?? 0)
            const vendor = c.picks.length > 0 && first !== undefined ? first[1].vendor : c.vendor
            const picked = [
              ...new Map(
                c.picks
                  .map((p) => at(bills, p))
                  .filter((x): x is [string, ModelBill] => x !== undefined && x[1].vendor === vendor)
              )
            ]
            const apps = picked.map(([id, b]) => ({
              bill: id,
              cents: Math.max(1, Math.floor((b.lines.reduce((s, l) => s + l.cents, 0) * c.share) / 100))
            }))
            const p = { vendor, apps, extra: c.extra, card: c.card, voided: false }
            if (apps.length === 0 && c.extra === 0) return
            const id = `stp02P${n}`
            payments.set(id, p)
            yield* writePayment(id, p)
            break
          }
          case "voidPayment": {
            const hit = at(payments, c.pick)
            if (hit === undefined) return
            hit[1].voided = true
            yield* writePayment(hit[0], hit[1])
            break
          }
          case "credit": {
            const id = `vcr02C${n}`
            const target = c.apply === null ? undefined : at(bills, c.apply)
            const usage =
              target !== undefined && target[1].vendor === c.vendor
                ? [{ bill: target[0], cents: Math.ceil(c.cents / 2) }]
                : []
            const credit = { vendor: c.vendor, account: c.account, cents: c.cents, usage, archived: false }
            credits.set(id, credit)
            yield* writeCredit(id, credit)
            break
          }
          case "editCredit": {
            const hit = at(credits, c.pick)
            if (hit === undefined || hit[1].archived) return
            const credit = {
              ...hit[1],
              cents: c.cents,
              usage: hit[1].usage.map((u) => ({ ...u, cents: Math.ceil(c.cents / 3) }))
            }
            credits.set(hit[0], credit)
            yield* writeCredit(hit[0], credit)
            break
          }
          case "archiveCredit": {
            const hit = at(credits, c.pick)
            if (hit === undefined) return
            hit[1].archived = true
            yield* payables.archive("vendor_credits", f.companyId, [hit[0]])
            yield* journal.postVendorCredits(f.companyId, [hit[0]])
            break
          }
          case "repost": {
            const again = yield* journal.postAll(f.companyId)
            expect(again.posted + again.reversed).toBe(0)
            break
          }
        }
      })
      yield* sql.withTransaction(step)

      // After every committed change: every invariant holds and the journal matches the model.
      expect(yield* checks.check(f.companyId)).toEqual([])
      const expected = new Map<number, number>()
      const add = (account: number, cents: number) => expected.set(account, (expected.get(account) ?? 0) + cents)
      for (const b of bills.values()) {
        if (b.archived) continue
        for (const l of b.lines) add(f.expenses[l.account]!, l.cents)
        add(f.ap, -b.lines.reduce((s, l) => s + l.cents, 0))
      }
      for (const p of payments.values()) {
        if (p.voided) continue
        const total = p.apps.reduce((s, a) => s + a.cents, 0) + p.extra
        add(p.card ? f.card : f.bank, -total)
        add(f.ap, total)
      }
      for (const cr of credits.values()) {
        if (cr.archived) continue
        add(f.expenses[cr.account]!, -cr.cents)
        add(f.ap, cr.cents)
      }
      const actual = yield* accountBalances(f.companyId)
      const nonZero = (m: Map<number, string>) => new Map([...m].filter(([, v]) => Number(v) !== 0))
      expect(nonZero(actual)).toEqual(nonZero(new Map([...expected].map(([k, v]) => [k, money(v)]))))
    }
  })

it.layer(LedgerTest, { timeout: "300 seconds" })("journal under random Bill.com change sequences", (it) => {
  it.effect("every invariant holds after every change; the trial balance sums to zero; re-posting is a no-op", () =>
    Effect.gen(function* () {
      const runtime = yield* Effect.runtime<SqlClient.SqlClient | LedgerPayables | Journal | LedgerChecks>()
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 14 }), (cmds) =>
            Runtime.runPromise(runtime)(Effect.flatMap(makeFixture, (f) => run(f, cmds)))
          ),
          { numRuns: 20 }
        )
      )
    })
  )
})
