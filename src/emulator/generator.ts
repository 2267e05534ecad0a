import { LEDGER_ROWS, SPREAD_ACCOUNTS } from "./chart.ts"
import { FOREIGN_CURRENCIES } from "./currency.ts"
import { generateMasterData, makeContext, type GenContext } from "./master-data.ts"
import type {
  ApCard,
  Approver,
  ApprovalStatus,
  BankAccount,
  Bill,
  BillLine,
  BillPayment,
  CardAccount,
  ChartOfAccount,
  Credentials,
  FundingType,
  LineClassifications,
  Organization,
  Payment,
  PaymentStatus,
  Vendor,
  VendorCredit
} from "./model.ts"
import { NO_CLASSIFICATIONS } from "./model.ts"
import { ITEM_NAMES, VENDOR_CATEGORIES } from "./names.ts"
import type { GenerateOptions } from "./options.ts"
import { DAY_MS, flat, IdFactory, parseDay, Random, RUNTIME_ID_BASE } from "./random.ts"

export type { Anomalies, GenerateOptions } from "./options.ts"

/** The demo organisation's fixed credentials (emulator credentials are not secrets). */
export const demoCredentials: Credentials = {
  username: "demo@billsync.dev",
  password: "demo-password",
  devKey: "DEMO-DEV-KEY-0001",
  organizationId: "00802DEMO00000000001"
}

/** The demo seed: small, fixed, with the documented anomalies. */
export const DEMO_OPTIONS: GenerateOptions = {
  seed: "demo",
  vendors: 25,
  bills: 300,
  customers: 10,
  items: 12,
  classifications: 4,
  banks: 3,
  cards: 2,
  organizationName: "Demo Co",
  credentials: demoCredentials,
  anomalies: { archivedVendorBill: true, unknownFundingPayment: true, malformedRecord: true },
  statusCoverage: true,
  foreignVendors: 1
}

/** Options for a seed name: `demo` is fixed; any other seed uses the given sizes or defaults. */
export const optionsForSeed = (seed: string, overrides: Partial<GenerateOptions> = {}): GenerateOptions =>
  seed === "demo" ? { ...DEMO_OPTIONS, ...overrides, seed } : { ...overrides, seed }

/** Credentials derived from a seed, so each seeded organisation has its own stable identity. */
export const credentialsForSeed = (seed: string): Credentials => {
  if (seed === "demo") return demoCredentials
  const r = new Random(`${seed}/credentials`)
  const slug =
    seed
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "org"
  return {
    username: `api@${slug}.emulator`,
    password: `pw-${r.alnum(12)}`,
    devKey: `DEV-${r.alnum(20)}`,
    organizationId: `00802${r.alnum(15)}`
  }
}

const DEFAULT_AS_OF = "2026-09-30T17:00:00.000Z"

/** Where a foreign-currency vendor is (1099 tracking applies to US vendors only). */
const COUNTRY_OF: Readonly<Record<string, { country: string; countryName: string }>> = {
  CAD: { country: "CA", countryName: "Canada" },
  EUR: { country: "DE", countryName: "Germany" },
  GBP: { country: "GB", countryName: "United Kingdom" }
}

/** Generate an organisation deterministically from its options (no wall-clock input). */
export const generateOrganization = (options: GenerateOptions): Organization => {
  const seed = options.seed
  const r = new Random(`${seed}/data`)
  const ids = new IdFactory(new Random(`${seed}/ids`))
  const asOf = Date.parse(options.asOf ?? DEFAULT_AS_OF)
  const asOfDay = Math.floor(asOf / DAY_MS)
  const fromDay = parseDay(`${options.fromYear ?? 2022}-01-03`)
  const billCount = options.bills ?? 1000
  const vendorCount = Math.max(3, options.vendors ?? Math.max(25, Math.round(billCount / 100)))
  const customerCount = options.customers ?? 10
  const itemCount = Math.max(2, Math.min(options.items ?? 12, ITEM_NAMES.length))
  const perKind = Math.max(2, options.classifications ?? 5)
  const anomalies = options.anomalies ?? {}
  const credentials: Credentials = { ...credentialsForSeed(seed), ...options.credentials }
  const g = makeContext(r, ids, seed, asOf, fromDay)
  const { stamp, at } = g
  const {
    userId,
    approverIds,
    users,
    chartOfAccounts,
    coa,
    banks,
    cards,
    classificationLists,
    activeOf,
    items,
    activeItems,
    customers,
    vendors,
    vendorCreatedDay,
    vendorArchiveDay
  } = generateMasterData(g, options, { vendorCount, customerCount, itemCount, perKind })

  // Cumulative Zipf weights for fast weighted picks over many vendors.
  const cumulative: Array<number> = []
  let total = 0
  for (let i = 0; i < vendorCount; i++) {
    total += 1 / Math.pow(i + 1, 0.7)
    cumulative.push(total)
  }
  const pickVendorIndex = (day: number): number => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const x = r.next() * total
      let lo = 0
      let hi = vendorCount - 1
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (cumulative[mid]! < x) lo = mid + 1
        else hi = mid
      }
      if (vendorCreatedDay[lo]! <= day && vendorArchiveDay[lo]! > day) return lo
    }
    return r.int(0, 4)
  }

  const departments = activeOf("departments")
  const locations = activeOf("locations")
  const classes = activeOf("accounting-classes")
  const jobs = activeOf("jobs")
  const employees = activeOf("employees")
  const activeCustomers = customers.filter((c) => !c.archived)
  const bills: Array<Bill> = []
  const payments: Array<Payment> = []
  const vendorCredits: Array<VendorCredit> = []
  // The open "batch" payment per vendor, so some payments cover several bills.
  const batch = new Map<string, Payment>()
  const fundingChoices = [
    ...banks.slice(0, 2).map((b, i) => ({ type: "BANK_ACCOUNT" as const, id: b.id, weight: i === 0 ? 70 : 10 })),
    ...cards.map((c) => ({ type: "CARD_ACCOUNT" as const, id: c.id, weight: 10 }))
  ]
  const fundingWeights = fundingChoices.map((f) => f.weight)
  const span = asOfDay - 2 - fromDay

  const makeLines = (cat: (typeof VENDOR_CATEGORIES)[number], totalCents: number, day: number): Array<BillLine> => {
    const count = r.weighted([1, 2, 3, 4], [55, 25, 12, 8])
    const lines: Array<BillLine> = []
    let remaining = totalCents
    for (let l = 0; l < count; l++) {
      const share = l === count - 1 ? remaining : Math.max(100, Math.round(remaining * (0.3 + r.next() * 0.4)))
      remaining -= share
      const classifications: LineClassifications = {}
      let quantity = 1
      let priceCents = share
      let amountCents = share
      let description = r.pick(cat.lineDescriptions)
      if (cat.usesItems && activeItems.length > 0 && r.chance(0.8)) {
        const item = r.pick(activeItems)
        quantity = r.int(1, 20)
        priceCents = Math.max(1, Math.round(share / quantity))
        amountCents = priceCents * quantity
        classifications.itemId = item.id
        classifications.chartOfAccountId = item.expenseChartOfAccountId ?? coa(cat.account)
        description = item.name
      } else {
        classifications.chartOfAccountId = coa(r.chance(0.85) ? cat.account : r.pick(SPREAD_ACCOUNTS))
      }
      if (departments.length > 0 && r.chance(0.4)) classifications.departmentId = r.pick(departments).id
      if (locations.length > 0 && r.chance(0.3)) classifications.locationId = r.pick(locations).id
      if (classes.length > 0 && r.chance(0.3)) classifications.accountingClassId = r.pick(classes).id
      if (jobs.length > 0 && r.chance(0.08)) classifications.jobId = r.pick(jobs).id
      if (activeCustomers.length > 0 && r.chance(0.05)) classifications.customerId = r.pick(activeCustomers).id
      if (employees.length > 0 && (cat.label === "travel" || cat.label === "meals") && r.chance(0.5))
        classifications.employeeId = r.pick(employees).id
      lines.push({ id: ids.make("bli"), amountCents, quantity, priceCents, description, classifications })
      void day
    }
    // An array grown by push keeps spare capacity (17 slots); an exact copy saves ~100 bytes per bill.
    return lines.slice()
  }

  const approvalFor = (age: number): ApprovalStatus =>
    age > 45
      ? r.weighted<ApprovalStatus>(["APPROVED", "UNASSIGNED", "DENIED"], [94, 4, 2])
      : age > 10
        ? r.weighted<ApprovalStatus>(["APPROVED", "APPROVING", "ASSIGNED", "UNASSIGNED", "DENIED"], [75, 10, 10, 3, 2])
        : r.weighted<ApprovalStatus>(["ASSIGNED", "APPROVING", "APPROVED", "UNASSIGNED"], [40, 20, 35, 5])

  const approversFor = (status: ApprovalStatus, created: number): Array<Approver> => {
    if (status === "UNASSIGNED") return []
    const count = status === "APPROVING" ? r.int(2, 3) : r.int(1, 2)
    const chain = [...approverIds]
      .sort(() => 0)
      .slice(r.int(0, approverIds.length - count), undefined)
      .slice(0, count)
    return chain.map((userId, order) => {
      const changed = Math.min(created + (order + 1) * r.int(1, 48) * 3_600_000, asOf - 3_600_000)
      const s =
        status === "APPROVED"
          ? "APPROVED"
          : status === "DENIED"
            ? order === 0
              ? "DENIED"
              : "STALE"
            : status === "APPROVING"
              ? order === 0
                ? "APPROVED"
                : order === 1
                  ? r.pick(["WAITING", "VIEWED"] as const)
                  : "UPCOMING"
              : order === 0
                ? r.pick(["WAITING", "VIEWED"] as const)
                : "UPCOMING"
      return { userId, status: s, order, changedTime: changed }
    })
  }

  const newPayment = (vendor: Vendor, day: number, status: "PAID" | "SCHEDULED", created: number): Payment => {
    const funding = r.weighted(fundingChoices, fundingWeights)
    const disbursementType = vendor.payByType === "CHECK" ? "CHECK" : "ACH"
    const payment: Payment = {
      id: ids.make("stp"),
      ...stamp(created, status === "PAID" ? at(day + r.int(1, 3)) : created),
      vendorId: vendor.id,
      billPayments: [],
      processDay: day,
      fundingType: funding.type,
      fundingId: funding.id,
      amountCents: 0,
      status,
      disbursementType,
      confirmationNumber: flat(`P${r.digits(10)}`),
      ...(disbursementType === "CHECK" ? { checkNumber: r.int(1001, 99999) } : {}),
      createdBy: userId,
      ...(r.chance(0.3) ? { description: `Inv ${vendor.shortName ?? ""}`.slice(0, 70) } : {})
    }
    payments.push(payment)
    return payment
  }

  for (let i = 0; i < billCount; i++) {
    const invoiceDay = fromDay + Math.floor(Math.sqrt(r.next()) * span * 0.35 + r.next() * span * 0.65)
    const vIndex = pickVendorIndex(invoiceDay)
    const vendor = vendors[vIndex]!
    const cat = VENDOR_CATEGORIES[vendor.category]!
    const totalCents = Math.round(
      Math.exp(Math.log(cat.minCents) + r.next() * (Math.log(cat.maxCents) - Math.log(cat.minCents)))
    )
    const created = at(invoiceDay + r.int(0, 3))
    const lines = makeLines(cat, totalCents, invoiceDay)
    const age = asOfDay - invoiceDay
    const archived = r.chance(0.02)
    const approvalStatus = approvalFor(age)
    const approvers = approversFor(approvalStatus, created)
    const bill: Bill = {
      id: ids.make("00n"),
      ...stamp(
        created,
        approvers.reduce((t, a) => Math.max(t, a.changedTime), created)
      ),
      vendorId: vendor.id,
      invoiceNumber: flat(`${vendor.shortName?.slice(0, 3) ?? "INV"}-${invoiceDay % 100000}-${r.int(100, 999)}`),
      invoiceDay,
      dueDay: invoiceDay + r.pick([0, 15, 30, 30, 30, 45, 60]),
      ...(r.chance(0.5) ? { description: flat(`${r.pick(cat.lineDescriptions)} — ${vendor.name}`) } : {}),
      ...(r.chance(0.15) ? { poNumber: flat(`PO-${r.digits(5)}`) } : {}),
      lines,
      ...(r.chance(0.2) ? { payFromChartOfAccountId: coa("1000") } : {}),
      classifications:
        r.chance(0.25) && lines[0]?.classifications.chartOfAccountId !== undefined
          ? { chartOfAccountId: lines[0].classifications.chartOfAccountId }
          : NO_CLASSIFICATIONS,
      approvalStatus,
      approvers,
      createdBy: r.chance(0.8) ? userId : r.pick(approverIds),
      amountCents: lines.reduce((s, l) => s + l.amountCents, 0),
      creditCents: 0,
      scheduledCents: 0,
      clearedCents: 0
    }
    bills.push(bill)
    if (archived) {
      bill.archived = true
      bill.updatedTime = Math.min(bill.updatedTime + r.int(1, 30) * DAY_MS, asOf - 1000)
      continue
    }
    if (approvalStatus !== "APPROVED" && approvalStatus !== "UNASSIGNED") continue

    // Vendor credit applied to this bill (≈ 1 in 25 bills).
    let creditToApplyWithPayment: { credit: VendorCredit; cents: number } | undefined
    if (r.chance(0.04)) {
      const amountCents = Math.max(500, Math.round(bill.amountCents * (0.05 + r.next() * 0.25)))
      const creditDay = Math.max(fromDay, invoiceDay - r.int(0, 60))
      const creditCreated = at(creditDay)
      const applied = r.weighted(["full", "partial", "none"], [70, 15, 15])
      const credit: VendorCredit = {
        id: ids.make("vcr"),
        ...stamp(creditCreated, Math.max(creditCreated, created)),
        vendorId: vendor.id,
        referenceNumber: `CM-${r.digits(6)}`,
        creditDay,
        ...(r.chance(0.5)
          ? { description: r.pick(["Returned goods", "Billing adjustment", "Service credit", "Volume rebate"]) }
          : {}),
        amountCents,
        lines: [
          {
            id: ids.make("vci"),
            description: "Credit",
            amountCents,
            classifications: { chartOfAccountId: lines[0]!.classifications.chartOfAccountId ?? coa(cat.account) }
          }
        ],
        usage: []
      }
      vendorCredits.push(credit)
      const cents = applied === "full" ? amountCents : applied === "partial" ? Math.round(amountCents / 2) : 0
      if (cents > 0 && cents < bill.amountCents) {
        if (r.chance(0.5)) creditToApplyWithPayment = { credit, cents }
        else {
          credit.usage.push({ billId: bill.id, amountCents: cents })
          bill.creditCents += cents
        }
      }
    }

    const fate =
      age > 60
        ? r.weighted(["paid", "partial", "unpaid"], [88, 5, 7])
        : age > 15
          ? r.weighted(["paid", "scheduled", "partial", "unpaid"], [60, 15, 5, 20])
          : r.weighted(["paid", "scheduled", "unpaid"], [10, 20, 70])
    if (fate === "unpaid") continue
    const open = bill.amountCents - bill.creditCents
    const scheduled = fate === "scheduled"
    const processDay = scheduled
      ? asOfDay + r.int(1, 14)
      : Math.min(Math.max(invoiceDay + 1, bill.dueDay + r.int(-5, 3)), asOfDay - 1)
    let payment: Payment
    const existing = batch.get(vendor.id)
    if (
      fate === "paid" &&
      existing !== undefined &&
      existing.status === "PAID" &&
      Math.abs(existing.processDay - processDay) <= 7 &&
      existing.billPayments.length < 6 &&
      r.chance(0.5)
    ) {
      payment = existing
    } else {
      payment = newPayment(
        vendor,
        processDay,
        scheduled ? "SCHEDULED" : "PAID",
        scheduled ? asOf - r.int(1, 96) * 3_600_000 : at(processDay - r.int(0, 4))
      )
      if (fate === "paid") batch.set(vendor.id, payment)
    }
    const withCredit = creditToApplyWithPayment !== undefined && !scheduled
    const creditCents = withCredit ? creditToApplyWithPayment!.cents : 0
    const cents = fate === "partial" ? Math.max(100, Math.round(open * (0.3 + r.next() * 0.4))) : open - creditCents
    const blp: BillPayment = { id: ids.make("blp"), billId: bill.id, amountCents: cents }
    if (withCredit && creditToApplyWithPayment !== undefined) {
      blp.vendorCredits = [{ id: creditToApplyWithPayment.credit.id, amountCents: creditCents }]
      creditToApplyWithPayment.credit.usage.push({ billId: bill.id, paymentId: payment.id, amountCents: creditCents })
      bill.creditCents += creditCents
    }
    payment.billPayments.push(blp)
    payment.amountCents += cents
    if (scheduled) bill.scheduledCents += cents
    else bill.clearedCents += cents
    bill.updatedTime = Math.min(Math.max(bill.updatedTime, payment.updatedTime), asOf - 1000)
  }

  for (const p of payments) p.billPayments = p.billPayments.slice()
  for (const c of vendorCredits) c.usage = c.usage.slice()

  // Documented anomalies, each touching one record.
  if (anomalies.archivedVendorBill === true) {
    const vIndex = vendors.findIndex((v) => v.archived)
    const vendor = vIndex >= 0 ? vendors[vIndex]! : vendors[vendors.length - 1]!
    if (!vendor.archived) {
      vendor.archived = true
      vendor.updatedTime = asOf - 30 * DAY_MS
    }
    const cat = VENDOR_CATEGORIES[vendor.category]!
    const invoiceDay = asOfDay - 20
    const created = at(invoiceDay)
    const lines = makeLines(cat, r.int(cat.minCents, cat.maxCents), invoiceDay)
    bills.push({
      id: ids.make("00n"),
      ...stamp(created),
      vendorId: vendor.id,
      invoiceNumber: `LATE-${r.digits(5)}`,
      invoiceDay,
      dueDay: invoiceDay + 30,
      description: "Invoice received after the vendor was archived",
      lines,
      classifications: NO_CLASSIFICATIONS,
      approvalStatus: "APPROVED",
      approvers: approversFor("APPROVED", created),
      createdBy: userId,
      amountCents: lines.reduce((s, l) => s + l.amountCents, 0),
      creditCents: 0,
      scheduledCents: 0,
      clearedCents: 0
    })
  }
  if (anomalies.unknownFundingPayment === true) {
    const payment = [...payments].reverse().find((p) => p.status === "PAID" && p.billPayments.length === 1)
    if (payment !== undefined) payment.fundingId = `bac02${new Random(`${seed}/unknown-funding`).alnum(15)}`
  }
  if (anomalies.malformedRecord === true) {
    const bill = [...bills].reverse().find((b) => !b.archived && b.approvalStatus === "APPROVED")
    if (bill !== undefined) bill.malformed = "amount"
  }

  const apCards =
    options.statusCoverage === true
      ? addStatusCoverage({
          g,
          r,
          ids,
          userId,
          vendors,
          chartOfAccounts,
          bills,
          payments,
          banks,
          cards,
          makeLines,
          approversFor
        })
      : []
  // Ledger accounts beside the template (chart.ts LEDGER_ROWS), with ids of their own.
  const ledgerIds = new IdFactory(new Random(`${seed}/ledger-accounts`), RUNTIME_ID_BASE - 1000)
  for (const row of LEDGER_ROWS) {
    chartOfAccounts.push({
      id: ledgerIds.make("0ca"),
      ...stamp(g.setupMs),
      name: row.name,
      type: row.type,
      number: row.number,
      ...(row.description !== undefined ? { description: row.description } : {})
    })
  }

  // Foreign-currency vendors: mid-sized ones (a vendor with bills, never the busiest), chosen
  // without consuming the data stream; their documents carry the currency, rates are per day.
  const foreign = Math.max(0, Math.min(options.foreignVendors ?? 0, vendorCount - 1))
  if (foreign > 0) {
    const billsOf = new Map<string, number>()
    for (const b of bills) billsOf.set(b.vendorId, (billsOf.get(b.vendorId) ?? 0) + 1)
    const candidates = vendors
      .filter((v) => !v.archived && (billsOf.get(v.id) ?? 0) > 0)
      .sort((a, b) => (billsOf.get(b.id) ?? 0) - (billsOf.get(a.id) ?? 0) || (a.id < b.id ? -1 : 1))
    const first = Math.max(1, Math.floor(candidates.length / 3))
    const chosen = new Map<string, string>()
    for (let i = 0; i < foreign && first + i < candidates.length; i++) {
      const vendor = candidates[first + i]!
      const currency = FOREIGN_CURRENCIES[i % FOREIGN_CURRENCIES.length]!
      vendor.billCurrency = currency
      vendor.address = { ...vendor.address, ...COUNTRY_OF[currency]! }
      vendor.track1099 = false
      chosen.set(vendor.id, currency)
    }
    for (const doc of [...bills, ...payments, ...vendorCredits]) {
      const currency = chosen.get(doc.vendorId)
      if (currency !== undefined) doc.currency = currency
    }
  }

  return {
    credentials,
    name: options.organizationName ?? `Org ${seed}`,
    userId,
    asOf,
    users,
    vendors,
    customers,
    chartOfAccounts,
    items,
    classifications: classificationLists,
    banks,
    cards,
    apCards,
    bills,
    payments,
    vendorCredits
  }
}

interface CoverageContext {
  readonly g: GenContext
  readonly r: Random
  readonly ids: IdFactory
  readonly userId: string
  readonly vendors: ReadonlyArray<Vendor>
  readonly chartOfAccounts: Array<ChartOfAccount>
  readonly bills: Array<Bill>
  readonly payments: Array<Payment>
  readonly banks: ReadonlyArray<BankAccount>
  readonly cards: ReadonlyArray<CardAccount>
  readonly makeLines: (cat: (typeof VENDOR_CATEGORIES)[number], totalCents: number, day: number) => Array<BillLine>
  readonly approversFor: (status: ApprovalStatus, created: number) => Array<Approver>
}

/** The records of StatusCoverage; returns the organisation's AP cards. */
const addStatusCoverage = (c: CoverageContext): Array<ApCard> => {
  const { g, r, ids, userId } = c
  const asOfDay = g.asOfDay
  // Chart: the AP Card's liability account, and the two types with no ledger counterpart.
  const account = (number: string, name: string, type: ChartOfAccount["type"]): ChartOfAccount => {
    const row: ChartOfAccount = { id: ids.make("0ca"), ...g.stamp(g.setupMs + 60 * DAY_MS), name, type, number }
    c.chartOfAccounts.push(row)
    return row
  }
  account("2120", "BILL AP Card", "CREDIT_CARD")
  account("9800", "Uncategorized (type not set in Bill.com)", "UNSPECIFIED")
  account("9810", "Legacy import (type unknown to the v3 API)", "UNDEFINED")

  const apCards: Array<ApCard> = [
    {
      id: ids.make("dva"),
      ...g.stamp(g.setupMs + 70 * DAY_MS),
      nameOnAccount: "Demo Co AP Card",
      status: "ACTIVE",
      balanceCents: 1_850_000,
      limitCents: 5_000_000
    },
    {
      id: ids.make("dva"),
      ...g.stamp(g.setupMs + 71 * DAY_MS),
      nameOnAccount: "Demo Co AP Card (replaced)",
      status: "INACTIVE",
      balanceCents: 0,
      limitCents: 2_500_000
    }
  ]

  const vendor = c.vendors.find((v) => !v.archived)!
  const cat = VENDOR_CATEGORIES[vendor.category]!
  const bank = c.banks[0]!
  const bill = (day: number, approvalStatus: ApprovalStatus, extra: Partial<Bill> = {}): Bill => {
    const lines = c.makeLines(cat, r.int(cat.minCents, cat.maxCents), day)
    const created = g.at(day)
    const b: Bill = {
      id: ids.make("00n"),
      ...g.stamp(created),
      vendorId: vendor.id,
      invoiceNumber: `COV-${day % 100000}-${r.int(100, 999)}`,
      invoiceDay: day,
      dueDay: day + 30,
      lines,
      classifications: NO_CLASSIFICATIONS,
      approvalStatus,
      approvers: c.approversFor(approvalStatus, created),
      createdBy: userId,
      amountCents: lines.reduce((s, l) => s + l.amountCents, 0),
      creditCents: 0,
      scheduledCents: 0,
      clearedCents: 0,
      ...extra
    }
    c.bills.push(b)
    return b
  }
  const pay = (
    b: Bill,
    status: PaymentStatus,
    day: number,
    funding: { type: FundingType; id?: string } = { type: "BANK_ACCOUNT", id: bank.id }
  ): Payment => {
    const created = g.at(day - 1)
    const p: Payment = {
      id: ids.make("stp"),
      ...g.stamp(created, g.at(day)),
      vendorId: b.vendorId,
      billPayments: [{ id: ids.make("blp"), billId: b.id, amountCents: b.amountCents }],
      processDay: day,
      fundingType: funding.type,
      ...(funding.id !== undefined ? { fundingId: funding.id } : {}),
      amountCents: b.amountCents,
      status,
      disbursementType: "ACH",
      confirmationNumber: flat(`P${r.digits(10)}`),
      createdBy: userId
    }
    c.payments.push(p)
    // The bill's derived amounts, as OrgState.recomputeBill would have them.
    if (status === "PAID" || status === "ESCHEATED") b.clearedCents += p.amountCents
    if (status === "APPROVING" || status === "SCHEDULED") b.scheduledCents += p.amountCents
    if (status === "APPROVING") b.inProcessCents = p.amountCents
    b.updatedTime = Math.max(b.updatedTime, p.updatedTime)
    return p
  }

  // Bills whose recordStatus is neither ACTIVE nor INACTIVE (archived, so never imported).
  const draft = bill(asOfDay - 12, "UNASSIGNED", { archived: true, recordStatus: "DRAFT" })
  bill(asOfDay - 11, "UNASSIGNED", { archived: true, recordStatus: "DRAFT_DELETED" })
  bill(asOfDay - 10, "UNASSIGNED", {
    archived: true,
    recordStatus: "UNDEFINED",
    approvalUndefinedInV3: true,
    paymentStatusUndefined: true
  })
  // An approved bill whose v3 approvalStatus is UNDEFINED (the sync asks v2), and bills still in approval.
  bill(asOfDay - 35, "APPROVED", { approvalUndefinedInV3: true })
  bill(asOfDay - 4, "ASSIGNED")
  bill(asOfDay - 6, "APPROVING")
  // A payment of every status, on approved bills (the UNDEFINED one on the draft: issue 12).
  pay(bill(asOfDay - 30, "APPROVED"), "APPROVING", asOfDay + 2)
  pay(bill(asOfDay - 25, "APPROVED"), "SCHEDULED", asOfDay + 3, { type: "CARD_ACCOUNT", id: c.cards[0]!.id })
  pay(bill(asOfDay - 45, "APPROVED"), "CANCELLED", asOfDay - 20)
  pay(bill(asOfDay - 50, "APPROVED"), "VOID", asOfDay - 25)
  pay(bill(asOfDay - 400, "APPROVED"), "ESCHEATED", asOfDay - 370)
  pay(draft, "UNDEFINED", asOfDay - 5, { type: "UNDEFINED" })
  // Funding types besides bank and card: the BILL balance (no id) and an AP Card.
  pay(bill(asOfDay - 40, "APPROVED"), "PAID", asOfDay - 15, { type: "WALLET" })
  pay(bill(asOfDay - 38, "APPROVED"), "PAID", asOfDay - 14, { type: "AP_CARD", id: apCards[0]!.id })
  return apCards
}
