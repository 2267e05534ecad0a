import { randomUUID } from "node:crypto"
import { Errors } from "./errors.ts"
import type { Stamped } from "./model.ts"

/**
 * v3 list semantics (§3): `max` 1–100 (default 20), `filters` (field:op:value, comma = AND,
 * quoted or unquoted values, five date-time formats), `sort` (field:asc|desc, compound) and an
 * opaque `page` cursor: a position (offset) in the sorted, filtered list, carrying the query.
 * Bill.com does not document whether its cursor pages a snapshot or a live query (§11), so both:
 * - `snapshot`: the ids are taken at page 1 and later pages slice that snapshot (records render
 *   their current state); every record appears exactly once across pages;
 * - `live`: every page re-evaluates the query over the current records, so a record edited during
 *   the read jumps to the end (or out of a bounded filter) and the rest shift by one: with offsets
 *   as positions, the record after the page boundary is skipped.
 */
export type CursorMode = "snapshot" | "live"

export type FieldKind = "string" | "bool" | "time" | "date" | "number" | "ids"

export interface FieldDef<R> {
  readonly kind: FieldKind
  readonly get: (record: R) => string | number | boolean | undefined | ReadonlyArray<string>
  /** Usable in `sort` (default true except for `ids`). */
  readonly sortable?: boolean
  /** Usable in `filters` (default true). */
  readonly filterable?: boolean
  /** The operators Bill.com documents for this field (§3.4); any operator when absent. */
  readonly ops?: ReadonlyArray<Operator>
}

export type Fields<R> = Readonly<Record<string, FieldDef<R>>>

export const OPERATORS = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "sw"] as const
export type Operator = (typeof OPERATORS)[number]

interface Filter {
  readonly field: string
  readonly op: Operator
  readonly values: ReadonlyArray<string>
}

interface SortKey {
  readonly field: string
  readonly desc: boolean
}

/** Split `filters` on commas that are outside double quotes. */
const parseFilters = <R>(text: string, fields: Fields<R>): ReadonlyArray<Filter> => {
  const filters: Array<Filter> = []
  let i = 0
  while (i < text.length) {
    const c1 = text.indexOf(":", i)
    const c2 = c1 < 0 ? -1 : text.indexOf(":", c1 + 1)
    if (c1 < 0 || c2 < 0) throw Errors.badRequest(`filters: invalid filter expression '${text.slice(i)}'`)
    const field = text.slice(i, c1).trim()
    const op = text.slice(c1 + 1, c2).trim() as Operator
    let raw: string
    let j = c2 + 1
    if (text[j] === '"') {
      const end = text.indexOf('"', j + 1)
      if (end < 0) throw Errors.badRequest(`filters: unterminated quote in '${text.slice(i)}'`)
      raw = text.slice(j + 1, end)
      j = end + 1
      if (j < text.length && text[j] !== ",")
        throw Errors.badRequest(`filters: unexpected text after quoted value in '${text.slice(i)}'`)
    } else {
      const end = text.indexOf(",", j)
      raw = end < 0 ? text.slice(j) : text.slice(j, end)
      j = end < 0 ? text.length : end
    }
    i = j + 1
    const def = fields[field]
    if (def === undefined || def.filterable === false)
      throw Errors.badRequest(`filters: field '${field}' is not filterable`)
    if (!(OPERATORS as ReadonlyArray<string>).includes(op)) throw Errors.badRequest(`filters: unknown operator '${op}'`)
    if (def.ops !== undefined && !def.ops.includes(op))
      throw Errors.badRequest(`filters: operator '${op}' is not supported for '${field}'`)
    if (op === "sw" && def.kind !== "string")
      throw Errors.badRequest(`filters: operator 'sw' is not supported for '${field}'`)
    const values = op === "in" || op === "nin" ? raw.split(",").map((v) => v.trim()) : [raw]
    for (const v of values) validateValue(field, def.kind, v)
    filters.push({ field, op, values })
  }
  return filters
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/

/** Parse the five accepted date-time formats (§3.3); no zone means UTC. */
export const parseDateTime = (text: string): number | undefined => {
  const m = DATE_TIME.exec(text)
  if (m === null) return undefined
  const [, date, hm, ss, ms, zone] = m
  if (hm === undefined) return Date.parse(`${date}T00:00:00.000Z`)
  let z = zone ?? "Z"
  if (z !== "Z" && z.length === 3) z = `${z}:00`
  else if (z !== "Z" && !z.includes(":")) z = `${z.slice(0, 3)}:${z.slice(3)}`
  const t = Date.parse(`${date}T${hm}:${ss ?? "00"}.${(ms ?? "0").padEnd(3, "0")}${z}`)
  return Number.isNaN(t) ? undefined : t
}

const validateValue = (field: string, kind: FieldKind, value: string): void => {
  const bad = (what: string) => Errors.badRequest(`filters: invalid ${what} value '${value}' for '${field}'`)
  if (kind === "bool" && value !== "true" && value !== "false") throw bad("boolean")
  if ((kind === "time" || kind === "date") && parseDateTime(value) === undefined) throw bad("date")
  if (kind === "number" && (value === "" || Number.isNaN(Number(value)))) throw bad("number")
}

const coerce = (kind: FieldKind, value: string): string | number | boolean => {
  switch (kind) {
    case "bool":
      return value === "true"
    case "time":
      return parseDateTime(value)!
    case "date":
      return new Date(parseDateTime(value)!).toISOString().slice(0, 10)
    case "number":
      return Number(value)
    default:
      return value
  }
}

const compare = (a: unknown, b: unknown): number => {
  if (a === b) return 0
  if (a === undefined) return -1
  if (b === undefined) return 1
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0
  return (a as number) < (b as number) ? -1 : 1
}

/** `wanted`: the filter's values coerced to the field's kind, once per query (a date-time parse per record cost ~40 ms a request at 200k bills). */
const matches = <R>(
  record: R,
  filter: Filter,
  def: FieldDef<R>,
  wanted: ReadonlyArray<ReturnType<typeof coerce>>
): boolean => {
  const actual = def.get(record)
  if (Array.isArray(actual)) {
    const has = wanted.some((w) => actual.includes(w as string))
    return filter.op === "ne" || filter.op === "nin" ? !has : filter.op === "eq" || filter.op === "in" ? has : false
  }
  const w = wanted[0]
  switch (filter.op) {
    case "eq":
      return actual === w
    case "ne":
      return actual !== w
    case "gt":
      return actual !== undefined && compare(actual, w) > 0
    case "gte":
      return actual !== undefined && compare(actual, w) >= 0
    case "lt":
      return actual !== undefined && compare(actual, w) < 0
    case "lte":
      return actual !== undefined && compare(actual, w) <= 0
    case "in":
      return wanted.includes(actual as string | number | boolean)
    case "nin":
      return !wanted.includes(actual as string | number | boolean)
    case "sw":
      return typeof actual === "string" && actual.toLowerCase().startsWith(String(w).toLowerCase())
  }
}

const parseSort = <R>(text: string, fields: Fields<R>): ReadonlyArray<SortKey> =>
  text
    .split(",")
    .filter((s) => s.trim() !== "")
    .map((part) => {
      const [field = "", dir = "asc", extra] = part.trim().split(":")
      const def = fields[field]
      if (def === undefined || def.sortable === false || def.kind === "ids")
        throw Errors.badRequest(`sort: field '${field}' is not sortable`)
      if ((dir !== "asc" && dir !== "desc") || extra !== undefined)
        throw Errors.badRequest(`sort: invalid direction in '${part}'`)
      return { field, desc: dir === "desc" }
    })

export interface ListQuery {
  readonly max?: string | undefined
  readonly page?: string | undefined
  readonly filters?: string | undefined
  readonly sort?: string | undefined
}

export interface Page<R> {
  readonly results: ReadonlyArray<R>
  readonly nextPage?: string
  readonly prevPage?: string
}

interface Cursor {
  /** Snapshot id. */
  readonly s: string
  /** Offset of the page's first row. */
  readonly o: number
  readonly f: string
  readonly so: string
}

const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString("base64url")

const decodeCursor = (page: string): Cursor => {
  try {
    const c = JSON.parse(Buffer.from(page, "base64url").toString("utf8")) as Partial<Cursor>
    if (
      typeof c.s === "string" &&
      typeof c.o === "number" &&
      c.o >= 0 &&
      typeof c.f === "string" &&
      typeof c.so === "string"
    )
      return c as Cursor
  } catch {
    // fall through to the error below
  }
  throw Errors.badRequest("page: invalid page token")
}

/** Parse and validate `max` (1–100, default 20). */
export const parseMax = (max: string | undefined): number => {
  if (max === undefined || max === "") return 20
  const n = Number(max)
  if (!Number.isInteger(n) || n < 1 || n > 100) throw Errors.validation([["max", "must be between 1 and 100"]])
  return n
}

/** Sorted, filtered snapshots keyed by id; bounded so long-running emulators stay flat. */
export class SnapshotStore {
  private readonly snapshots = new Map<string, ReadonlyArray<Stamped>>()
  private counter = 0
  // Distinguishes this process's cursors from a previous run's (their snapshots get rebuilt).
  private readonly instance = randomUUID().slice(0, 8)
  constructor(
    private readonly capacity = 64,
    readonly mode: CursorMode = "live"
  ) {}

  list<R extends Stamped>(collection: string, records: ReadonlyArray<R>, fields: Fields<R>, query: ListQuery): Page<R> {
    const max = parseMax(query.max)
    let cursor: Cursor
    if (query.page !== undefined && query.page !== "") {
      cursor = decodeCursor(query.page)
    } else {
      cursor = {
        s: `${this.instance}:${collection}:${this.counter++}`,
        o: 0,
        f: query.filters ?? "",
        so: query.sort ?? ""
      }
    }
    let rows = this.mode === "live" ? undefined : (this.snapshots.get(cursor.s) as ReadonlyArray<R> | undefined)
    if (rows === undefined) {
      rows = this.evaluate(records, fields, cursor.f, cursor.so)
      if (this.mode === "snapshot") this.snapshots.set(cursor.s, rows)
      if (this.snapshots.size > this.capacity) {
        const oldest = this.snapshots.keys().next().value
        if (oldest !== undefined) this.snapshots.delete(oldest)
      }
    }
    const results = rows.slice(cursor.o, cursor.o + max)
    const end = cursor.o + max
    return {
      results,
      ...(end < rows.length ? { nextPage: encodeCursor({ ...cursor, o: end }) } : {}),
      ...(cursor.o > 0 ? { prevPage: encodeCursor({ ...cursor, o: Math.max(0, cursor.o - max) }) } : {})
    }
  }

  clear(): void {
    this.snapshots.clear()
  }

  private evaluate<R extends Stamped>(
    records: ReadonlyArray<R>,
    fields: Fields<R>,
    filterText: string,
    sortText: string
  ): ReadonlyArray<R> {
    const filters = filterText === "" ? [] : parseFilters(filterText, fields)
    const sort = parseSort(sortText, fields)
    const defs = filters.map((f) => fields[f.field]!)
    const wanted = filters.map((f, i) => f.values.map((v) => coerce(defs[i]!.kind, v)))
    const rows =
      filters.length === 0
        ? records.slice()
        : records.filter((r) => filters.every((f, i) => matches(r, f, defs[i]!, wanted[i]!)))
    if (sort.length > 0) {
      const getters = sort.map((k) => fields[k.field]!.get)
      rows.sort((a, b) => {
        for (let i = 0; i < sort.length; i++) {
          const c = compare(getters[i]!(a), getters[i]!(b))
          if (c !== 0) return sort[i]!.desc ? -c : c
        }
        return a.seq - b.seq
      })
    }
    return rows
  }
}
