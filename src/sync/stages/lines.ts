import { Effect } from "effect"
import { Links } from "../../store/links.ts"
import { SourceRecords } from "../../store/source-records.ts"
import type { Failure } from "../handler.ts"
import { fromCents, sumCents, toCents } from "../../ledger/money.ts"
import type { LineWrite } from "../../ledger/payables.ts"
import { toMoney } from "../money.ts"
import type * as R from "../records.ts"

/** Link kinds a bill or credit line can reference, keyed by its classifications field. */
const dimensionFields = [
  ["departmentId", "department"],
  ["jobId", "job"],
  ["locationId", "location"],
  ["accountingClassId", "accounting-class"],
  ["employeeId", "employee"]
] as const

export type LinkKind =
  | "vendor"
  | "chart-of-account"
  | "item"
  | "customer"
  | "bank-account"
  | "card-account"
  | "ap-card"
  | "bill"
  | (typeof dimensionFields)[number][1]

export type LinkLookups = ReadonlyMap<LinkKind, ReadonlyMap<string, number>>

/** Resolves every referenced Bill.com id of a batch to its ledger id, one query per kind. */
export const lookupLinks = (integrationId: number, wanted: ReadonlyMap<LinkKind, ReadonlyArray<string>>) =>
  Effect.gen(function* () {
    const links = yield* Links
    const out = new Map<LinkKind, ReadonlyMap<string, number>>()
    for (const [kind, ids] of wanted) out.set(kind, yield* links.lookup(integrationId, kind, ids))
    return out as LinkLookups
  })

export const collect = (into: Map<LinkKind, Array<string>>, kind: LinkKind, id: string | null | undefined) => {
  if (id === null || id === undefined || id === "") return
  const list = into.get(kind) ?? []
  list.push(id)
  into.set(kind, list)
}

/** Adds every id a set of lines references (accounts, items, customers, dimensions). */
export const collectLines = (
  into: Map<LinkKind, Array<string>>,
  lines: ReadonlyArray<R.Line>,
  header: R.LineClassifications | null | undefined
) => {
  collect(into, "chart-of-account", header?.chartOfAccountId)
  for (const line of lines) {
    const c = line.classifications
    collect(into, "chart-of-account", c?.chartOfAccountId)
    collect(into, "item", c?.itemId)
    collect(into, "customer", c?.customerId)
    for (const [field, kind] of dimensionFields) collect(into, kind, c?.[field])
  }
}

/**
 * Lines → ledger lines. Every account, item and classification value a line uses must be mapped;
 * each missing mapping is named (kind and Bill.com id) so one error row lists them all. Customers
 * on lines are optional tags (customers sync after bills in the fixed order).
 */
export const resolveLines = (
  lines: ReadonlyArray<R.Line>,
  header: R.LineClassifications | null | undefined,
  lookups: LinkLookups
): {
  readonly lines: Array<LineWrite & { quantity: string | null; unit_price: string | null }>
  readonly missing: Array<string>
} => {
  const missing: Array<string> = []
  const out: Array<LineWrite & { quantity: string | null; unit_price: string | null }> = []
  const get = (kind: LinkKind, id: string) => lookups.get(kind)?.get(id)
  lines.forEach((line, i) => {
    const c = line.classifications
    const accountRef = c?.chartOfAccountId ?? header?.chartOfAccountId ?? undefined
    const accountId = accountRef === undefined ? undefined : get("chart-of-account", accountRef)
    if (accountRef === undefined) missing.push(`line ${i + 1} has no chart-of-account`)
    else if (accountId === undefined) missing.push(`chart-of-account ${accountRef} (line ${i + 1})`)
    let itemId: number | null = null
    if (c?.itemId) {
      const id = get("item", c.itemId)
      if (id === undefined) missing.push(`item ${c.itemId} (line ${i + 1})`)
      else itemId = id
    }
    const dims: Array<number> = []
    for (const [field, kind] of dimensionFields) {
      const ref = c?.[field]
      if (!ref) continue
      const id = get(kind, ref)
      if (id === undefined) missing.push(`${kind} ${ref} (line ${i + 1})`)
      else dims.push(id)
    }
    const amount = line.amount ?? (line.quantity != null && line.price != null ? line.quantity * line.price : 0)
    if (accountId !== undefined) {
      out.push({
        line_no: i + 1,
        billcom_id: line.id ?? null,
        account_id: accountId,
        item_id: itemId,
        customer_id: c?.customerId ? (get("customer", c.customerId) ?? null) : null,
        dimension_ids: dims,
        description: line.description ?? null,
        amount: toMoney(amount),
        quantity: line.quantity != null ? String(line.quantity) : null,
        unit_price: line.price != null ? String(line.price) : null
      })
    }
  })
  return { lines: out, missing }
}

/**
 * The referenced vendors a batch cannot resolve because they were refused (stored with an
 * invalid-record error of their own): their documents wait for them with a clear error.
 */
export const refusedVendors = (
  integrationId: number,
  lookups: LinkLookups,
  vendorIds: ReadonlyArray<string | null | undefined>
) =>
  Effect.gen(function* () {
    const unresolved = [...new Set(vendorIds)].filter(
      (id): id is string => typeof id === "string" && id !== "" && lookups.get("vendor")?.get(id) === undefined
    )
    return unresolved.length === 0
      ? new Set<string>()
      : yield* (yield* SourceRecords).refused(integrationId, "vendor", unresolved)
  })

export const waitingForVendor = (what: string, vendorId: string): Failure => ({
  code: "master-record-refused",
  message: `${what} waits for vendor ${vendorId}, which Bill.com sent in a form the ledger refuses (see that vendor's invalid-record error); it imports once the vendor is fixed in Bill.com`,
  detail: { waitsFor: { kind: "vendor", billcomId: vendorId } }
})

/**
 * What looks wrong in a document the ledger still imports as Bill.com has it: a negative total, or
 * lines that do not add up to it (the journal posts the rest as a "difference" line). Undefined when nothing does.
 */
export const documentWarning = (
  what: string,
  amount: string,
  lines: ReadonlyArray<{ readonly amount: string }> | undefined
): Failure | undefined => {
  const total = toCents(amount)
  if (total < 0n)
    return {
      code: "negative-amount",
      message: `${what} has a negative amount ${amount}; it is imported as Bill.com has it (it reduces accounts payable)`,
      detail: { amount }
    }
  if (lines === undefined || lines.length === 0) return undefined
  const sum = sumCents(lines.map((l) => toCents(l.amount)))
  if (sum === total) return undefined
  return {
    code: "lines-differ-from-amount",
    message: `${what}: its lines add up to ${fromCents(sum)} but its amount is ${amount}; ${fromCents(total - sum)} posts as a "difference between the document total and its lines" line`,
    detail: { amount, linesTotal: fromCents(sum) }
  }
}
