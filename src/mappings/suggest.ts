import { ledgerTypeOf, type Mappings } from "../config/mappings.ts"

/**
 * Mapping suggestions: for pulled Bill.com records no mapping covers, propose links.
 *   chart-of-account rows  exact number+type with a ledger account (already implied, so only rows
 *                          the implicit rule misses): same type + normalised name → set billcomId
 *   funding accounts       the bank account's chartOfAccountId mapped to a bank/credit-card
 *                          account (exact), else a normalised-name match with one of them
 *   vendors, items, customers, classification values
 *                          normalised-name match with an existing link's billcomName → the same
 *                          ledger key (a re-created Bill.com record); else a NEW ledger key
 * Several candidates, or several unmapped records sharing one name, are listed as ambiguous,
 * never guessed. New keys follow the file's existing pattern (see `nextKey`).
 */
export type LinkFile = "vendors" | "items" | "customers" | "classifications"
export type PulledKind =
  | "vendor"
  | "item"
  | "customer"
  | "department"
  | "job"
  | "location"
  | "accounting-class"
  | "employee"
  | "chart-of-account"
  | "bank-account"
  | "card-account"
  | "ap-card"

export interface Pulled {
  readonly kind: PulledKind
  readonly billcomId: string
  readonly name: string
  readonly archived: boolean
  /** chart-of-account rows: account number and Bill.com type; bank accounts: their chart-of-account id. */
  readonly number?: string | undefined
  readonly type?: string | undefined
  readonly chartOfAccountId?: string | undefined
}

export type Basis = "exact" | "name" | "new-key"

export interface Suggestion {
  readonly kind: PulledKind
  readonly billcomId: string
  readonly billcomName: string
  readonly file: string
  readonly section: string
  /** The ledger key / account number the record is linked to. */
  readonly target: string
  readonly basis: Basis
  readonly confidence: number
  readonly note: string
}

export interface Unresolved {
  readonly kind: PulledKind
  readonly billcomId: string
  readonly billcomName: string
  readonly reason: string
  readonly candidates: ReadonlyArray<string>
}

export interface SuggestResult {
  readonly suggestions: ReadonlyArray<Suggestion>
  readonly ambiguous: ReadonlyArray<Unresolved>
  readonly unmatched: ReadonlyArray<Unresolved>
}

const LEGAL = new Set([
  "inc",
  "incorporated",
  "llc",
  "ltd",
  "limited",
  "co",
  "corp",
  "corporation",
  "company",
  "the",
  "plc",
  "gmbh",
  "lp",
  "llp"
])

/** Lower case, accents and punctuation removed, "&" → "and", legal suffixes dropped, single spaces. */
export const normalizeName = (name: string): string =>
  name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .split(" ")
    .filter((w) => w !== "" && !LEGAL.has(w))
    .join(" ")

const DEFAULT_PATTERN: Record<string, { prefix: string; width: number } | "slug"> = {
  vendors: { prefix: "V-", width: 4 },
  items: { prefix: "SKU-", width: 3 },
  customers: { prefix: "C-", width: 3 },
  classifications: "slug"
}

const slug = (name: string) =>
  name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "") || "VALUE"

/**
 * New ledger keys follow the file's existing keys: when at least half of them end in a number, the
 * most common prefix + digit width continues after the highest number (V-0041 → V-0042); when the
 * existing keys are mostly words, the new key is the upper-case slug of the Bill.com name
 * (OPERATIONS, WEBSITE-REDESIGN), suffixed -2, -3… if taken. Empty files use V-0001, SKU-001,
 * C-001, and slugs for classification values.
 */
export const keyGenerator = (file: string, existing: ReadonlyArray<string>) => {
  const taken = new Set(existing)
  const numbered = existing.map((k) => /^(.*?)(\d+)$/.exec(k)).filter((m): m is RegExpExecArray => m !== null)
  let pattern: { prefix: string; width: number } | "slug"
  if (existing.length === 0) pattern = DEFAULT_PATTERN[file] ?? "slug"
  else if (numbered.length * 2 >= existing.length) {
    const counts = new Map<string, number>()
    for (const m of numbered)
      counts.set(`${m[1]}\u0000${m[2]!.length}`, (counts.get(`${m[1]}\u0000${m[2]!.length}`) ?? 0) + 1)
    const [best] = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!
    const [prefix, width] = best.split("\u0000") as [string, string]
    pattern = { prefix, width: Number(width) }
  } else pattern = "slug"
  const p = pattern
  let next = p === "slug" ? 0 : Math.max(0, ...numbered.filter((m) => m[1] === p.prefix).map((m) => Number(m[2]))) + 1
  return (name: string): string => {
    if (p === "slug") {
      const base = slug(name)
      let key = base
      for (let i = 2; taken.has(key); i++) key = `${base}-${i}`
      taken.add(key)
      return key
    }
    let key: string
    do key = `${p.prefix}${String(next++).padStart(p.width, "0")}`
    while (taken.has(key))
    taken.add(key)
    return key
  }
}

const linkTargets: Record<
  Exclude<PulledKind, "chart-of-account" | "bank-account" | "card-account" | "ap-card">,
  { file: LinkFile; section: string; fileName: string }
> = {
  vendor: { file: "vendors", section: "vendors", fileName: "vendors.yaml" },
  item: { file: "items", section: "items", fileName: "items.yaml" },
  customer: { file: "customers", section: "customers", fileName: "customers.yaml" },
  department: { file: "classifications", section: "departments", fileName: "classifications.yaml" },
  job: { file: "classifications", section: "jobs", fileName: "classifications.yaml" },
  location: { file: "classifications", section: "locations", fileName: "classifications.yaml" },
  "accounting-class": { file: "classifications", section: "accountingClasses", fileName: "classifications.yaml" },
  employee: { file: "classifications", section: "employees", fileName: "classifications.yaml" }
}

type LinkEntry = { readonly billcomId: string; readonly billcomName?: string | undefined; readonly key: string }

const linksOf = (m: Mappings, section: string): ReadonlyArray<LinkEntry> => {
  switch (section) {
    case "vendors":
      return m.vendors.map((l) => ({ billcomId: l.billcomId, billcomName: l.billcomName, key: l.ledgerVendor }))
    case "items":
      return m.items.map((l) => ({ billcomId: l.billcomId, billcomName: l.billcomName, key: l.ledgerItem }))
    case "customers":
      return m.customers.map((l) => ({ billcomId: l.billcomId, billcomName: l.billcomName, key: l.ledgerCustomer }))
    default:
      return (m.classifications[section as keyof Mappings["classifications"]] ?? []).map((l) => ({
        billcomId: l.billcomId,
        billcomName: l.billcomName,
        key: l.ledgerValue
      }))
  }
}

export const suggestMappings = (mappings: Mappings, pulled: ReadonlyArray<Pulled>): SuggestResult => {
  const suggestions: Array<Suggestion> = []
  const ambiguous: Array<Unresolved> = []
  const unmatched: Array<Unresolved> = []
  const live = pulled.filter((p) => !p.archived)
  const accounts = mappings.accounts.filter((a) => a.active)

  // Chart of accounts: which pulled rows the ledger already covers (explicit id, else number+type).
  const coaRows = new Map(pulled.filter((p) => p.kind === "chart-of-account").map((p) => [p.billcomId, p]))
  const accountFor = (row: Pulled) => {
    const explicit = accounts.find((a) => a.billcomId === row.billcomId)
    if (explicit) return explicit
    const type = ledgerTypeOf(row.type ?? "")
    const same = accounts.filter((a) => a.number === row.number && a.type === type && a.billcomId === undefined)
    return same.length === 1 ? same[0] : undefined
  }
  const claimed = new Set<string>()
  for (const row of live.filter((p) => p.kind === "chart-of-account")) {
    if (accountFor(row) !== undefined) continue
    const type = ledgerTypeOf(row.type ?? "")
    const sameNumber = row.number === undefined ? [] : accounts.filter((a) => a.number === row.number)
    if (sameNumber.length > 0 && sameNumber.every((a) => a.type !== type)) {
      ambiguous.push({
        kind: row.kind,
        billcomId: row.billcomId,
        billcomName: row.name,
        reason: `number ${row.number} is a ${sameNumber[0]!.type} account in the ledger but ${row.type ?? "untyped"} in Bill.com`,
        candidates: sameNumber.map((a) => a.number)
      })
      continue
    }
    const byName = accounts.filter(
      (a) => a.type === type && a.billcomId === undefined && normalizeName(a.name) === normalizeName(row.name)
    )
    if (byName.length === 1 && !claimed.has(byName[0]!.number)) {
      claimed.add(byName[0]!.number)
      suggestions.push({
        kind: row.kind,
        billcomId: row.billcomId,
        billcomName: row.name,
        file: "accounts.yaml",
        section: "accounts",
        target: byName[0]!.number,
        basis: "name",
        confidence: 0.8,
        note: `same type and name as ledger account ${byName[0]!.number}; sets its billcomId`
      })
    } else if (byName.length > 1)
      ambiguous.push({
        kind: row.kind,
        billcomId: row.billcomId,
        billcomName: row.name,
        reason: "several ledger accounts of this type have this name",
        candidates: byName.map((a) => a.number)
      })
    else
      unmatched.push({
        kind: row.kind,
        billcomId: row.billcomId,
        billcomName: row.name,
        reason: `no ledger account with number ${row.number ?? "(none)"} and type ${type ?? row.type ?? "(none)"}: add it to accounts.yaml (or let \`billsync plan coa\` align the charts)`,
        candidates: []
      })
  }

  // Funding accounts → a bank or credit-card ledger account.
  const covered = new Set(mappings.fundingAccounts.map((l) => l.billcomId))
  const cash = accounts.filter((a) => a.type === "bank" || a.type === "credit-card")
  for (const f of live.filter(
    (p) => (p.kind === "bank-account" || p.kind === "card-account" || p.kind === "ap-card") && !covered.has(p.billcomId)
  )) {
    const coa = f.chartOfAccountId === undefined ? undefined : coaRows.get(f.chartOfAccountId)
    const exact = coa === undefined ? undefined : accountFor(coa)
    if (exact !== undefined && (exact.type === "bank" || exact.type === "credit-card")) {
      suggestions.push({
        kind: f.kind,
        billcomId: f.billcomId,
        billcomName: f.name,
        file: "funding-accounts.yaml",
        section: "fundingAccounts",
        target: exact.number,
        basis: "exact",
        confidence: 1,
        note: `its Bill.com GL account ${coa!.number ?? coa!.billcomId} is ledger account ${exact.number}`
      })
      continue
    }
    // Cards and AP cards (BILL's charge card) are liabilities: a credit-card account.
    const wanted = f.kind === "bank-account" ? "bank" : "credit-card"
    const name = normalizeName(f.name)
    const candidates = cash.filter(
      (a) =>
        a.type === wanted &&
        (normalizeName(a.name) === name || (normalizeName(a.name) !== "" && name.includes(normalizeName(a.name))))
    )
    if (candidates.length === 1)
      suggestions.push({
        kind: f.kind,
        billcomId: f.billcomId,
        billcomName: f.name,
        file: "funding-accounts.yaml",
        section: "fundingAccounts",
        target: candidates[0]!.number,
        basis: "name",
        confidence: 0.7,
        note: `name matches ledger ${wanted} account ${candidates[0]!.number} ${candidates[0]!.name}`
      })
    else if (candidates.length > 1)
      ambiguous.push({
        kind: f.kind,
        billcomId: f.billcomId,
        billcomName: f.name,
        reason: `several ledger ${wanted} accounts match the name`,
        candidates: candidates.map((a) => a.number)
      })
    else
      unmatched.push({
        kind: f.kind,
        billcomId: f.billcomId,
        billcomName: f.name,
        reason: `no ledger ${wanted} account matches; map it by hand in funding-accounts.yaml`,
        candidates: cash.filter((a) => a.type === wanted).map((a) => a.number)
      })
  }

  // Link files: name match with an existing link, else a new key.
  for (const [kind, t] of Object.entries(linkTargets) as Array<
    [keyof typeof linkTargets, (typeof linkTargets)[keyof typeof linkTargets]]
  >) {
    const links = linksOf(mappings, t.section)
    const mapped = new Set(links.map((l) => l.billcomId))
    const open = live.filter((p) => p.kind === kind && !mapped.has(p.billcomId))
    if (open.length === 0) continue
    const byName = new Map<string, Set<string>>()
    for (const l of links)
      if (l.billcomName)
        byName.set(normalizeName(l.billcomName), new Set([...(byName.get(normalizeName(l.billcomName)) ?? []), l.key]))
    const sharing = new Map<string, number>()
    for (const p of open) sharing.set(normalizeName(p.name), (sharing.get(normalizeName(p.name)) ?? 0) + 1)
    const next = keyGenerator(
      t.file,
      links.map((l) => l.key)
    )
    for (const p of [...open].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : a.billcomId < b.billcomId ? -1 : 1
    )) {
      const n = normalizeName(p.name)
      const keys = [...(byName.get(n) ?? [])]
      const base = { kind: p.kind, billcomId: p.billcomId, billcomName: p.name, file: t.fileName, section: t.section }
      if (n !== "" && keys.length === 1)
        suggestions.push({
          ...base,
          target: keys[0]!,
          basis: "name",
          confidence: 0.9,
          note: `same name as the record already linked to ${keys[0]}`
        })
      else if (keys.length > 1)
        ambiguous.push({
          kind: p.kind,
          billcomId: p.billcomId,
          billcomName: p.name,
          reason: "the name matches several ledger keys",
          candidates: keys
        })
      else if (n === "" || (sharing.get(n) ?? 0) > 1)
        ambiguous.push({
          kind: p.kind,
          billcomId: p.billcomId,
          billcomName: p.name,
          reason:
            n === ""
              ? "the record has no usable name"
              : "several unmapped Bill.com records share this name (duplicates?)",
          candidates: []
        })
      else suggestions.push({ ...base, target: next(p.name), basis: "new-key", confidence: 1, note: "new ledger key" })
    }
  }
  return { suggestions, ambiguous, unmatched }
}
