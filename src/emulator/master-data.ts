import { CHART_TEMPLATE } from "./chart.ts"
import type { GenerateOptions } from "./options.ts"
import type {
  Address,
  BankAccount,
  CardAccount,
  ChartOfAccount,
  Classification,
  ClassificationKind,
  Customer,
  Item,
  User,
  Vendor
} from "./model.ts"
import {
  CITIES,
  CLASSES,
  CUSTOMER_NAMES,
  DEPARTMENTS,
  FIRST_NAMES,
  ITEM_NAMES,
  JOBS,
  LAST_NAMES,
  LOCATIONS,
  NAME_PREFIXES,
  NAME_SUFFIXES,
  STREETS,
  VENDOR_CATEGORIES
} from "./names.ts"
import { DAY_MS, hash32, type IdFactory, parseDay, type Random } from "./random.ts"

/**
 * The organisation's master data (users, chart of accounts, funding accounts, classifications,
 * items, customers, vendors), generated first and in a fixed order so ids stay stable per seed.
 */
export interface GenContext {
  readonly r: Random
  readonly ids: IdFactory
  readonly seed: string
  readonly asOf: number
  readonly asOfDay: number
  readonly fromDay: number
  readonly setupMs: number
  /** A timestamp on `day` during business hours. */
  readonly at: (day: number) => number
  readonly stamp: (
    created: number,
    updated?: number
  ) => { archived: boolean; createdTime: number; updatedTime: number; seq: number }
  readonly person: () => readonly [string, string]
  readonly address: () => Address
  readonly phone: () => string
}

export const makeContext = (r: Random, ids: IdFactory, seed: string, asOf: number, fromDay: number): GenContext => {
  const asOfDay = Math.floor(asOf / DAY_MS)
  let seq = 0
  const setupMs = fromDay * DAY_MS - 400 * DAY_MS
  const at = (day: number): number => day * DAY_MS + r.int(8 * 3600, 19 * 3600) * 1000 + r.int(0, 999)
  const stamp = (created: number, updated = created) => ({
    archived: false,
    createdTime: Math.min(created, asOf - 60_000),
    updatedTime: Math.min(Math.max(created, updated), asOf - 1000),
    seq: seq++
  })
  const person = () => [r.pick(FIRST_NAMES), r.pick(LAST_NAMES)] as const
  const address = (): Address => {
    const [city, state, zip] = r.pick(CITIES)
    return {
      line1: `${r.int(10, 9899)} ${r.pick(STREETS)}`,
      ...(r.chance(0.25) ? { line2: `Suite ${r.int(100, 950)}` } : {}),
      city,
      stateOrProvince: state,
      zipOrPostalCode: `${zip}${r.digits(2)}`,
      country: "US",
      countryName: "United States"
    }
  }
  const phone = () => `(${r.int(201, 989)}) ${r.int(200, 989)}-${r.digits(4)}`
  return { r, ids, seed, asOf, asOfDay, fromDay, setupMs, at, stamp, person, address, phone }
}

export interface Sizes {
  readonly vendorCount: number
  readonly customerCount: number
  readonly itemCount: number
  readonly perKind: number
}

export const generateMasterData = (g: GenContext, options: GenerateOptions, sizes: Sizes) => {
  const { r, ids, seed, asOf, asOfDay, fromDay, setupMs, at, stamp, person, address, phone } = g
  const { vendorCount, customerCount, itemCount, perKind } = sizes
  // Users: the API user first, then approvers.
  const userId = ids.make("006")
  const users: Array<User> = []
  const roles = ["ADMINISTRATOR", "APPROVER", "ACCOUNTANT", "PAYER", "APPROVER", "CLERK"]
  roles.forEach((roleType, i) => {
    const [firstName, lastName] = person()
    users.push({
      id: i === 0 ? userId : ids.make("006"),
      ...stamp(setupMs + i * DAY_MS),
      firstName,
      lastName,
      email: `${firstName}.${lastName}@${slugify(options.organizationName ?? seed)}.example`.toLowerCase(),
      roleType,
      roleId: ids.make("0po")
    })
  })
  users[users.length - 1]!.archived = true
  const approverIds = users.slice(1, 5).map((u) => u.id)

  // Chart of accounts from the template (parents first, so parentId always resolves).
  const chartOfAccounts: Array<ChartOfAccount> = []
  const coaByNumber = new Map<string, ChartOfAccount>()
  for (const row of CHART_TEMPLATE) {
    const created = setupMs + r.int(0, 30) * DAY_MS
    const record: ChartOfAccount = {
      id: ids.make("0ca"),
      ...stamp(created, row.archived ? parseDay("2023-03-15") * DAY_MS + 36_000_000 : created),
      name: row.name,
      type: row.type,
      number: row.number,
      ...(row.description !== undefined ? { description: row.description } : {}),
      ...(row.parent !== undefined ? { parentId: coaByNumber.get(row.parent)!.id } : {})
    }
    if (row.archived) record.archived = true
    chartOfAccounts.push(record)
    coaByNumber.set(row.number, record)
  }
  const coa = (n: string): string => coaByNumber.get(n)!.id

  // Funding accounts: banks carry their chart-of-account id; cards do not in v3 (§4.4).
  const bankTemplates = [
    ["Operating", "JPMorgan Chase Bank", "1000", "CHECKING"],
    ["Payroll", "JPMorgan Chase Bank", "1010", "CHECKING"],
    ["Reserve", "Silicon Valley Bank", "1020", "SAVINGS"]
  ] as const
  const banks: Array<BankAccount> = []
  for (let i = 0; i < (options.banks ?? 3); i++) {
    const t = bankTemplates[i % bankTemplates.length]!
    banks.push({
      id: ids.make("bac"),
      ...stamp(setupMs + (40 + i) * DAY_MS),
      nameOnAccount: `${options.organizationName ?? "Demo Co"} ${t[0]}${i >= bankTemplates.length ? ` ${i}` : ""}`,
      bankName: t[1],
      routingNumber: `0${r.digits(8)}`,
      accountNumber: `xxxxxx${r.digits(4)}`,
      type: t[3],
      status: "VERIFIED",
      chartOfAccountId: coa(t[2]),
      payables: i === 0,
      receivables: i === 0,
      createdBy: userId
    })
  }
  const cardTemplates = [
    ["American Express", "AMEX"],
    ["Chase", "VISA"]
  ] as const
  const cards: Array<CardAccount> = []
  for (let i = 0; i < (options.cards ?? 2); i++) {
    const t = cardTemplates[i % cardTemplates.length]!
    cards.push({
      id: ids.make("cat"),
      ...stamp(setupMs + (50 + i) * DAY_MS),
      nameOnAccount: options.organizationName ?? "Demo Co",
      issuingBankName: t[0],
      brand: t[1],
      last4: r.digits(4),
      expYear: 2027 + i,
      expMonth: r.int(1, 12),
      status: "VERIFIED",
      payables: i === 0,
      createdBy: userId,
      // Every other card: the API user is only nominated on it (listed under NOMINATED).
      userStatus: i % 2 === 1 ? "NOMINATED" : "VERIFIED"
    })
  }

  // Classifications: a small hierarchy per kind (first value is the parent of the third).
  const classificationLists: Record<ClassificationKind, Array<Classification>> = {
    departments: [],
    jobs: [],
    locations: [],
    "accounting-classes": [],
    employees: []
  }
  const kinds: ReadonlyArray<[ClassificationKind, string, ReadonlyArray<string>]> = [
    ["departments", "0de", DEPARTMENTS],
    ["jobs", "job", JOBS],
    ["locations", "loc", LOCATIONS],
    ["accounting-classes", "cls", CLASSES],
    ["employees", "emp", []]
  ]
  for (const [kind, prefix, names] of kinds) {
    const list = classificationLists[kind]
    for (let i = 0; i < perKind; i++) {
      const created = fromDay * DAY_MS + r.int(-200, 1200) * DAY_MS
      const base = { id: ids.make(prefix), ...stamp(Math.min(created, asOf - 90 * DAY_MS)) }
      const parent = i === 2 && list[0] !== undefined ? { parentId: list[0].id } : {}
      if (kind === "employees") {
        const [firstName, lastName] = person()
        list.push({
          ...base,
          ...parent,
          name: `${firstName} ${lastName}`,
          firstName,
          lastName,
          shortName: `${firstName[0]}${lastName}`.toUpperCase()
        })
      } else {
        const name = names[i % names.length]! + (i >= names.length ? ` ${Math.floor(i / names.length) + 1}` : "")
        list.push({
          ...base,
          ...parent,
          name,
          shortName: name
            .replace(/[^A-Za-z]/g, "")
            .slice(0, 6)
            .toUpperCase(),
          ...(r.chance(0.4) ? { description: `${name} (${kind})` } : {})
        })
      }
    }
    // One retired value per kind once there are enough to spare.
    if (list.length >= 4) {
      const retired = list[list.length - 1]!
      retired.archived = true
      retired.updatedTime = Math.max(retired.createdTime, asOf - 200 * DAY_MS)
    }
  }
  const activeOf = (kind: ClassificationKind) => classificationLists[kind].filter((c) => !c.archived)

  // Items (one archived), tied to COGS / expense accounts.
  const items: Array<Item> = []
  for (let i = 0; i < itemCount; i++) {
    const [name, type] = ITEM_NAMES[i]!
    const costCents = r.int(200, 40_000)
    const created = fromDay * DAY_MS + r.int(-100, 900) * DAY_MS
    items.push({
      id: ids.make("0ii"),
      ...stamp(created),
      type,
      name,
      shortName: name
        .replace(/[^A-Za-z0-9]/g, "")
        .slice(0, 10)
        .toUpperCase(),
      description: `${name} (${type.toLowerCase().replace(/_/g, " ")})`,
      priceCents: Math.round(costCents * 1.6),
      purchaseCostCents: costCents,
      purchaseDescription: `Purchase of ${name}`,
      expenseChartOfAccountId: coa(type === "SERVICE" ? "5000" : type === "OTHER_CHARGE" ? "5020" : "5010"),
      chartOfAccountId: coa(type === "SERVICE" ? "4020" : "4010"),
      taxable: type !== "SERVICE"
    })
  }
  items[items.length - 1]!.archived = true
  const activeItems = items.filter((i) => !i.archived)

  // Customers (one archived).
  const customers: Array<Customer> = []
  for (let i = 0; i < customerCount; i++) {
    const base = CUSTOMER_NAMES[i % CUSTOMER_NAMES.length]!
    const name = i >= CUSTOMER_NAMES.length ? `${base} ${Math.floor(i / CUSTOMER_NAMES.length) + 1}` : base
    const [firstName, lastName] = person()
    customers.push({
      id: ids.make("0cu"),
      ...stamp(fromDay * DAY_MS + r.int(-300, 1300) * DAY_MS),
      name,
      companyName: `${name} ${r.pick(["Inc.", "LLC", "Corp."])}`,
      email: `ap@${slugify(name)}.example`,
      phone: phone(),
      firstName,
      lastName,
      accountNumber: `C-${String(1000 + i)}`,
      accountType: "BUSINESS",
      billingAddress: address(),
      ...(r.chance(0.3) ? { description: "Key account" } : {})
    })
  }
  if (customers.length >= 3) customers[customers.length - 1]!.archived = true

  // Vendors: category, Zipf-ish popularity, ~6% archived (after their last bill).
  const vendors: Array<Vendor> = []
  const vendorArchiveDay: Array<number> = []
  const vendorCreatedDay: Array<number> = []
  const names = new Set<string>()
  const categoryWeights = VENDOR_CATEGORIES.map((c) => c.weight)
  const categoryIndexes = VENDOR_CATEGORIES.map((_, i) => i)
  for (let i = 0; i < vendorCount; i++) {
    const category = r.weighted(categoryIndexes, categoryWeights)
    const cat = VENDOR_CATEGORIES[category]!
    let name = ""
    for (let attempt = 0; ; attempt++) {
      const suffix = r.pick(NAME_SUFFIXES)
      name = `${r.pick(NAME_PREFIXES)} ${r.pick(cat.nouns)}${suffix === "" ? "" : ` ${suffix}`}`
      if (attempt > 8) name = `${name} ${i + 1}`
      if (!names.has(name)) break
    }
    names.add(name)
    // The first few vendors exist from the start so every bill date has a vendor to pick.
    const createdDay = i < 5 ? fromDay - 60 + i : r.int(fromDay - 90, asOfDay - 45)
    const archiveDay =
      i >= 5 && r.chance(0.06) ? r.int(Math.min(createdDay + 240, asOfDay - 20), asOfDay - 10) : Infinity
    vendorCreatedDay.push(createdDay)
    vendorArchiveDay.push(archiveDay)
    const person1099 = cat.label === "legal" || cat.label === "accounting" || cat.label === "repairs"
    const created = at(createdDay)
    const vendor: Vendor = {
      id: ids.make("009"),
      ...stamp(created, Number.isFinite(archiveDay) ? at(archiveDay) : created + r.int(0, 400) * DAY_MS),
      name,
      shortName: name
        .replace(/[^A-Za-z0-9]/g, "")
        .slice(0, 12)
        .toUpperCase(),
      ...(r.chance(0.7) ? { accountNumber: `AC-${r.digits(6)}` } : {}),
      accountType: "BUSINESS",
      email: `billing@${slugify(name)}.example`,
      phone: phone(),
      address: address(),
      payByType: r.weighted(["ACH", "CHECK", "VIRTUAL_CARD"], [70, 25, 5]),
      ...(r.chance(0.6) ? { taxId: `${r.digits(2)}-${r.digits(7)}` } : {}),
      track1099: person1099,
      leadTimeInDays: r.pick([0, 0, 1, 3, 5]),
      combinePayments: r.chance(0.3),
      category
    }
    if (Number.isFinite(archiveDay)) vendor.archived = true
    vendors.push(vendor)
  }

  return {
    users,
    userId,
    approverIds,
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
  }
}

export const slugify = (text: string): string =>
  text
    .toLowerCase()
    .replace(/&/g, "and")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40) || `x${hash32(text)}`
