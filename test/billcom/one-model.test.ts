import { describe, expect, it } from "@effect/vitest"
import { decode, RESOURCES, type ResourceName } from "../../src/billcom/resources.ts"
import { EmulatorCore } from "../../src/emulator/core.ts"
import { renderRecord } from "../../src/emulator/render.ts"
import * as R from "../../src/sync/records.ts"
import { handlersOf } from "../../src/sync/plan.ts"
import { COLLECTION } from "../../bench/lib/collections.ts"

/**
 * One Bill.com model (issue 16): the client decodes every record with the schema of its list
 * (src/billcom/models), the sync evaluates — and re-evaluates from a stored raw copy — with that very
 * schema object, and the emulator renders to it. A second schema for a Bill.com object anywhere fails
 * here: by identity for the sync, by decoding every record the emulator renders for the emulator.
 */

describe("one Bill.com model", () => {
  it("the sync's record schemas are the client's (records.ts defines none of its own)", () => {
    expect(R.Vendor).toBe(RESOURCES.vendors.schema)
    expect(R.Bill).toBe(RESOURCES.bills.schema)
    expect(R.VendorCredit).toBe(RESOURCES["vendor-credits"].schema)
    expect(R.Payment).toBe(RESOURCES.payments.schema)
    expect(R.ChartOfAccount).toBe(RESOURCES["chart-of-accounts"].schema)
    expect(R.BankAccount).toBe(RESOURCES["bank-accounts"].schema)
    expect(R.CardAccount).toBe(RESOURCES["card-accounts"].schema)
    expect(R.ApCard).toBe(RESOURCES["ap-cards"].schema)
    expect(R.Item).toBe(RESOURCES.items.schema)
    expect(R.Customer).toBe(RESOURCES.customers.schema)
    for (const list of ["departments", "jobs", "locations", "accounting-classes", "employees"] as const)
      expect(R.Classification, list).toBe(RESOURCES[list].schema)
  })

  it("every stage decodes its list with the schema the client decoded it with (no second decode, no second model)", () => {
    const handlers = Object.values(handlersOf).flat()
    expect(handlers.length).toBeGreaterThan(10)
    for (const handler of handlers) expect(handler.schema, handler.kind).toBe(RESOURCES[handler.list].schema)
  })

  it("every record the emulator renders decodes with the client's schema; a stored copy decodes the same", () => {
    // The demo organisation: every status the sync reads, foreign currency, and one malformed record.
    const core = new EmulatorCore({ seed: "demo" })
    const ctx = { state: core.state, origin: "http://127.0.0.1:4010" }
    let decoded = 0
    for (const name of Object.keys(RESOURCES) as Array<ResourceName>) {
      const records = core.state.collection(COLLECTION[name])
      expect(records.length, name).toBeGreaterThan(0)
      for (const record of records)
        for (const detail of name === "bills" ? [false, true] : [false]) {
          const raw = renderRecord(COLLECTION[name], record, ctx, detail)
          const pulled = RESOURCES[name].decode(raw)
          // A record the emulator deliberately renders with a wrong JSON type is the one that must not decode.
          expect(pulled._tag, `${name} ${record.id}: ${pulled._tag === "Invalid" ? pulled.error : ""}`).toBe(
            record.malformed === undefined ? "Valid" : "Invalid"
          )
          const stored = decode(name, JSON.parse(JSON.stringify(raw)))
          expect(stored._tag).toBe(pulled._tag)
          if (pulled._tag === "Valid" && stored._tag === "Valid") {
            expect(stored.value, `${name} ${record.id}`).toEqual(pulled.value)
            decoded++
          }
        }
    }
    expect(decoded).toBeGreaterThan(500)
  })
})
