import { it } from "@effect/vitest"
import * as TestServices from "effect/TestServices"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { runSync } from "../../src/sync/runner.ts"
import { emulatorWithSource, settingsFor, StoreTest } from "./support/harness.ts"

const plain = { fullRefresh: false, dryRun: false, wait: false } as const

/**
 * AP Cards (`dva…`, `fundingAccount.type` AP_CARD): pulled with the funding accounts, stored, mapped
 * in funding-accounts.yaml like banks and cards, and a payment funded by one posts to the mapped
 * ledger account.
 */
it.layer(StoreTest, { timeout: "300 seconds" })("AP cards in the funding-accounts stage", (it) => {
  it.effect("are pulled, mapped like cards, and fund payments that post to their ledger account", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const emu = yield* Emulator
      const snapshot = yield* emu.snapshot()
      const apCards = snapshot["ap-cards"] as Array<{ id: string }>
      expect(apCards.map((c) => c.id.slice(0, 3))).toEqual(["dva", "dva"])
      const funded = (
        snapshot["payments"] as Array<{ id: string; fundingAccount: { type: string; id?: string } }>
      ).filter((p) => p.fundingAccount.type === "AP_CARD")
      expect(funded).toHaveLength(1)
      const settings = settingsFor("apcards", snapshot)
      expect(settings.fundingAccounts.get(funded[0]!.fundingAccount.id!)).toBe("2120")

      const outcome = yield* runSync(settings, plain)
      expect(outcome.unmet).toEqual([])
      const stored = yield* sql<{ billcom_id: string; kind: string; number: string }>`
        SELECT b.billcom_id, b.kind, a.number FROM bank_accounts b JOIN ledger_accounts a ON a.id = b.ledger_account_id
        JOIN companies c ON c.id = b.company_id WHERE c.key = 'apcards-co' AND b.billcom_id LIKE 'dva%' ORDER BY b.billcom_id`
      expect(stored).toEqual(
        apCards
          .map((c) => ({ billcom_id: c.id, kind: "card", number: "2120" }))
          .sort((a, b) => (a.billcom_id < b.billcom_id ? -1 : 1))
      )
      const payment = yield* sql<{ number: string; funding: string }>`
        SELECT a.number, b.billcom_id AS funding FROM vendor_payments p JOIN ledger_accounts a ON a.id = p.cash_account_id
        JOIN bank_accounts b ON b.id = p.funding_account_id WHERE p.billcom_id = ${funded[0]!.id}`
      expect(payment).toEqual([{ number: "2120", funding: funded[0]!.fundingAccount.id! }])
    }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect("an AP card left out of funding-accounts.yaml is reported, its payment names it", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const emu = yield* Emulator
      const snapshot = yield* emu.snapshot()
      const base = settingsFor("apunmapped", snapshot)
      const settings = {
        ...base,
        fundingAccounts: new Map([...base.fundingAccounts].filter(([id]) => !id.startsWith("dva")))
      }
      yield* runSync(settings, plain)
      const funded = (
        snapshot["payments"] as Array<{ id: string; fundingAccount: { type: string; id?: string } }>
      ).find((p) => p.fundingAccount.type === "AP_CARD")!
      const errors = yield* sql<{
        code: string
        message: string
      }>`SELECT code, message FROM integration_errors WHERE billcom_id = ${funded.id}`
      expect(errors).toEqual([
        {
          code: "payment-unmapped-funding",
          message: `funding account AP_CARD ${funded.fundingAccount.id} is not mapped to a ledger bank account`
        }
      ])
    }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )
})
