/**
 * What a pulled record must satisfy before the ledger takes it, whatever its schema says: values the
 * database would refuse (numeric overflow, impossible dates, NUL) and text that is not text (control
 * characters, unpaired surrogates). Checked on the raw JSON — every field, known or not, since the raw
 * copy is stored too — so one bad value makes one invalid record, never a failed batch.
 */

/** Money is numeric(18,2) (below 10^16); ±10^15 leaves room for totals of many records. */
export const MONEY_LIMIT = 1e15
/** Quantities and unit prices are numeric(18,4) (below 10^14); ±10^13 leaves room for their products. */
export const QUANTITY_LIMIT = 1e13
const QUANTITY_KEYS: ReadonlySet<string> = new Set(["quantity", "price", "unitPrice"])
/**
 * Names Bill.com copies from another record (a bill's vendorName): bad text there is that record's
 * problem — its own check refuses it and this one waits for it — so it does not refuse this record
 * (the stored copy gets storable text).
 */
const COPIED_KEYS: ReadonlySet<string> = new Set(["vendorName"])
/** Deeper JSON than any Bill.com record: a hostile body must not exhaust the stack. */
const MAX_DEPTH = 32

/** C0 controls but tab, line feed and carriage return; DEL. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/
/** A UTF-16 surrogate without its other half (no `u` flag: the pattern sees code units). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g")
const DAY = /^(\d{4})-(\d{2})-(\d{2})(?=$|T)/

const pathText = (path: ReadonlyArray<string | number>): string =>
  path.length === 0
    ? "(record)"
    : path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${p}`)).join("")

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, "0")}`

/** "1e17", not "1e+17". */
const numberText = (n: number) =>
  (Number.isFinite(n) && Math.abs(n) >= 1e15 ? n.toExponential() : String(n)).replace("e+", "e")

/** Why a string is not storable or printable text, or undefined. */
export const textProblem = (s: string): string | undefined => {
  const m = CONTROL.exec(s)
  if (m !== null) {
    const code = m[0].charCodeAt(0)
    return code === 0 ? "NUL character" : `control character ${hex(code)}`
  }
  const lone = LONE_SURROGATE.exec(s)
  if (lone !== null) return `unpaired surrogate ${hex(lone[0].charCodeAt(0))}`
  return undefined
}

const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
const isCalendarDay = (y: number, m: number, d: number) =>
  y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= MONTH_DAYS[m - 1]! && !(m === 2 && d === 29 && !leap(y))

export interface CheckOptions {
  /** Latest believable updatedTime (ms): now plus a clock-skew allowance. */
  readonly updatedNotAfterMs?: number | undefined
}

/** How far Bill.com's clock may be ahead of ours before an updatedTime is refused. */
export const CLOCK_SKEW_MS = 24 * 60 * 60 * 1000

/**
 * The problems of one raw record, in words ("NUL character in name", "amount 1e17 is outside the
 * ledger's range (±10^15)", "invoice.invoiceDate "2025-02-30" is not a calendar date"); empty when
 * it is fit to store. Dates are the fields named …Date and …Time that start with YYYY-MM-DD.
 */
export const recordProblems = (raw: unknown, options: CheckOptions = {}): Array<string> => {
  const problems: Array<string> = []
  // A record "updated" in the future would carry the list's cursor past every change still to come.
  const updated = typeof raw === "object" && raw !== null ? (raw as { updatedTime?: unknown }).updatedTime : undefined
  if (
    options.updatedNotAfterMs !== undefined &&
    typeof updated === "string" &&
    Date.parse(updated) > options.updatedNotAfterMs
  )
    problems.push(
      `updatedTime ${JSON.stringify(updated)} is in the future (after ${new Date(options.updatedNotAfterMs).toISOString()}): the list's cursor must not move past it`
    )
  // One path stack for the walk (pushed and popped): records are checked on the hot path.
  const path: Array<string | number> = []
  const visit = (value: unknown, key: string | undefined): void => {
    if (problems.length >= 5) return
    if (typeof value === "string") {
      const bad = key !== undefined && COPIED_KEYS.has(key) ? undefined : textProblem(value)
      if (bad !== undefined) problems.push(`${bad} in ${pathText(path)}`)
      else if (key !== undefined && (key.endsWith("Date") || key.endsWith("Time"))) {
        const m = DAY.exec(value)
        if (m !== null && !isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3])))
          problems.push(`${pathText(path)} ${JSON.stringify(value)} is not a calendar date`)
      }
      return
    }
    if (typeof value === "number") {
      const limit = key !== undefined && QUANTITY_KEYS.has(key) ? QUANTITY_LIMIT : MONEY_LIMIT
      if (!Number.isFinite(value) || Math.abs(value) >= limit)
        problems.push(`${pathText(path)} ${numberText(value)} is outside the ledger's range (±10^${Math.log10(limit)})`)
      return
    }
    if (typeof value !== "object" || value === null) return
    if (path.length >= MAX_DEPTH) {
      problems.push(`${pathText(path)} is nested more than ${MAX_DEPTH} levels deep`)
      return
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i)
        visit(value[i], key)
        path.pop()
      }
      return
    }
    for (const k in value) {
      const bad = textProblem(k)
      if (bad !== undefined) problems.push(`${bad} in a field name under ${pathText(path)}`)
      path.push(k)
      if (bad === undefined) visit((value as Record<string, unknown>)[k], k)
      path.pop()
    }
  }
  visit(raw, undefined)
  return problems
}

/** One line for an invalid-record error. */
export const recordProblem = (raw: unknown, options: CheckOptions = {}): string | undefined => {
  const problems = recordProblems(raw, options)
  return problems.length === 0 ? undefined : problems.join("; ")
}

/** Text the database can store: NUL and unpaired surrogates become U+FFFD (text and jsonb refuse them). */
export const storableText = (s: string): string => s.replaceAll("\u0000", "\ufffd").replace(LONE_SURROGATES, "\ufffd")

/** A raw record with every string and key made storable (storableText). */
export const storableJson = (value: unknown): unknown => {
  if (typeof value === "string") return storableText(value)
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) return value.map(storableJson)
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)]))
}

/** JSON text of a raw record the database can store (jsonb refuses \u0000 and unpaired surrogates). */
export const storableJsonText = (value: unknown): string => {
  const text = JSON.stringify(value)
  // A false alarm (an escaped backslash before "u0000") only costs a second, identical rendering.
  return /\\u(0000|d[89a-f])/i.test(text) ? JSON.stringify(storableJson(value)) : text
}

/** The key under which a stored raw copy of a refused record keeps why (its text may have been made storable). */
export const REFUSED_KEY = "billsync:refused"

/** The raw copy stored for a record refused by these checks: storable, and refused again when re-evaluated from storage. */
export const refusedCopy = (raw: unknown, reason: string): unknown =>
  typeof raw === "object" && raw !== null && !Array.isArray(raw)
    ? { ...(storableJson(raw) as object), [REFUSED_KEY]: reason }
    : { value: storableJson(raw), [REFUSED_KEY]: reason }

/** Why a stored raw copy was refused, when it is one (refusedCopy). */
export const refusedReason = (raw: unknown): string | undefined => {
  const reason = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>)[REFUSED_KEY] : undefined
  return typeof reason === "string" ? reason : undefined
}
