import { BillcomError } from "./errors.ts"
import { rawIdOf } from "./pulled.ts"

/**
 * Keyset paging of an updatedTime range: every page is a fresh query that starts where the last
 * page ended (`updatedTime:gte:<last time seen>`), so it never depends on what Bill.com's opaque
 * `page` cursor means. Bill.com does not document whether a cursor pages a snapshot or a live
 * query (billcom-api.md §11); if it is an offset into a live query, a record edited during the
 * read jumps to the end (or out of a bounded range) and the rest shift by one — the record after
 * the page boundary is never served. A keyset query cannot skip: everything from its start to the
 * last time on its page is on the page.
 *
 * Ties are the one place where the time alone cannot move on (a page entirely at one instant):
 * - a page all at one updatedTime continues at that instant by createdTime (`Instant`);
 * - a page all at one (updatedTime, createdTime) pair follows Bill.com's cursor over just that
 *   pair (`Chain`). The pair's members can only leave it during the read (an edit moves a record's
 *   updatedTime past the read's start), so the chain can only have skipped a member if one it had
 *   already served left; a chain of more than one page is therefore checked afterwards (`Verify`:
 *   its ids, `id:in`, must all still be in the pair) and read again if one left.
 * Records whose times cannot be read (malformed) are delivered but never keyed on.
 */
export const timeOf = (raw: unknown): number => {
  const t = typeof raw === "object" && raw !== null ? (raw as { updatedTime?: unknown }).updatedTime : undefined
  return typeof t === "string" ? Date.parse(t) : Number.NaN
}

export const createdOf = (raw: unknown): number => {
  const t = typeof raw === "object" && raw !== null ? (raw as { createdTime?: unknown }).createdTime : undefined
  return typeof t === "string" ? Date.parse(t) : Number.NaN
}

export const ascending = (rows: ReadonlyArray<unknown>) =>
  [...rows].sort((a, b) => timeOf(a) - timeOf(b) || (createdOf(a) || 0) - (createdOf(b) || 0))

/** Consecutive pages that bring nothing new (empty, or only records already read) before a list is stopped. */
export const MAX_IDLE_PAGES = 10
/** Reads of one (updatedTime, createdTime) pair that each saw a member leave, before a list is stopped. */
export const MAX_CHAIN_READS = 5

export type Position =
  /** updatedTime ≥ t (> t when not inclusive), up to the range's end; `cursor`: the server's continuation of that query. */
  | { readonly _tag: "Range"; readonly t: number; readonly inclusive: boolean; readonly cursor?: string | undefined }
  /** updatedTime = t and createdTime ≥ c (> c when not inclusive). */
  | {
      readonly _tag: "Instant"
      readonly t: number
      readonly c: number
      readonly inclusive: boolean
      readonly cursor?: string | undefined
    }
  /** updatedTime = t and createdTime = c (c NaN: records without a createdTime), by Bill.com's cursor. */
  | {
      readonly _tag: "Chain"
      readonly t: number
      readonly c: number
      readonly cursor: string | undefined
      readonly served: ReadonlySet<string>
      readonly pages: number
      readonly reads: number
    }
  /** After a multi-page chain: are `ids` (from `from` on) all still at (t, c)? */
  | {
      readonly _tag: "Verify"
      readonly t: number
      readonly c: number
      readonly ids: ReadonlyArray<string>
      readonly from: number
      readonly reads: number
    }
  /** A pair kept losing members while read MAX_CHAIN_READS times (or the server ignores `id:in`). */
  | { readonly _tag: "Unsettled"; readonly t: number }
  | { readonly _tag: "Done" }

/** The updatedTime the position reads at: every record of the range updated before it has been served. */
export const positionTime = (p: Position): number => (p._tag === "Done" ? Number.POSITIVE_INFINITY : p.t)

/** A position a page can be read at. */
export type Reading = Exclude<Position, { _tag: "Done" } | { _tag: "Unsettled" }>

export interface Range {
  /** Filters every query carries (incremental `updatedTime:gte`, `archived`, …). */
  readonly base: ReadonlyArray<string>
  /** Upper end of the range (Infinity: none) and whether it is inclusive. */
  readonly hi: number
  readonly hiInclusive: boolean
  readonly pageSize: number
}

export interface Request {
  readonly filters: ReadonlyArray<string>
  readonly cursor: string | undefined
  readonly max: number
}

export interface Page {
  readonly results: ReadonlyArray<unknown>
  readonly nextPage: string | undefined
}

export const isoOf = (t: string | Date | number): string => {
  const d = t instanceof Date ? t : new Date(t)
  if (Number.isNaN(d.getTime())) throw new Error(`not an instant: ${String(t)}`)
  return d.toISOString()
}

const at = (field: string, op: string, t: number) => `${field}:${op}:"${isoOf(t)}"`
const instant = (t: number) => [at("updatedTime", "gte", t), at("updatedTime", "lte", t)]
const pair = (t: number, c: number) =>
  Number.isNaN(c) ? instant(t) : [...instant(t), at("createdTime", "gte", c), at("createdTime", "lte", c)]

export const start = (lo: number): Position => ({ _tag: "Range", t: lo, inclusive: true })

/** The request that reads the next page at `p`. */
export const requestOf = (r: Range, p: Reading): Request => {
  switch (p._tag) {
    case "Range": {
      const upper = Number.isFinite(r.hi) ? [at("updatedTime", r.hiInclusive ? "lte" : "lt", r.hi)] : []
      return {
        filters: [...r.base, at("updatedTime", p.inclusive ? "gte" : "gt", p.t), ...upper],
        cursor: p.cursor,
        max: r.pageSize
      }
    }
    case "Instant":
      return {
        filters: [...r.base, ...instant(p.t), at("createdTime", p.inclusive ? "gte" : "gt", p.c)],
        cursor: p.cursor,
        max: r.pageSize
      }
    case "Chain":
      return { filters: [...r.base, ...pair(p.t, p.c)], cursor: p.cursor, max: r.pageSize }
    case "Verify": {
      const ids = p.ids.slice(p.from, p.from + r.pageSize)
      return { filters: [...r.base, `id:in:"${ids.join(",")}"`, ...pair(p.t, p.c)], cursor: undefined, max: ids.length }
    }
  }
}

const chain = (t: number, c: number, reads = 1): Position =>
  reads > MAX_CHAIN_READS
    ? { _tag: "Unsettled", t }
    : { _tag: "Chain", t, c, cursor: undefined, served: new Set(), pages: 0, reads }

/** Past the instant t (and the pair (t, c) when c is known). */
const after = (r: Range, t: number, c: number): Position =>
  !Number.isNaN(c)
    ? { _tag: "Instant", t, c, inclusive: false }
    : t > r.hi || (t === r.hi && r.hiInclusive)
      ? { _tag: "Done" }
      : { _tag: "Range", t, inclusive: false }

/**
 * Whether a record is inside what the request at `p` asked for. A page that follows a cursor over
 * a snapshot renders records in their current state: one changed since the snapshot shows a time
 * outside the query. It is neither delivered from here nor keyed on (it is read again where its
 * new time puts it: further on, or in the catch-up).
 */
export const inQuery = (r: Range, p: Reading, raw: unknown): boolean => {
  const t = timeOf(raw)
  if (Number.isNaN(t)) return true
  switch (p._tag) {
    case "Range":
      return (p.inclusive ? t >= p.t : t > p.t) && (r.hiInclusive ? t <= r.hi : t < r.hi)
    case "Instant": {
      const c = createdOf(raw)
      return t === p.t && (Number.isNaN(c) || (p.inclusive ? c >= p.c : c > p.c))
    }
    case "Chain":
    case "Verify":
      return t === p.t && (Number.isNaN(p.c) || createdOf(raw) === p.c)
  }
}

/** The rows of a page to deliver: inside its query, and none from a check. */
export const deliverable = (r: Range, p: Reading, page: Page): Array<unknown> =>
  p._tag === "Verify" ? [] : page.results.filter((raw) => inQuery(r, p, raw))

/** Where to read next after `page` was read at `p`. */
export const advance = (r: Range, p: Reading, page: Page): Position => {
  const rows = page.results.filter((raw) => inQuery(r, p, raw))
  switch (p._tag) {
    case "Range":
    case "Instant": {
      if (page.nextPage === undefined) return p._tag === "Range" ? { _tag: "Done" } : after(r, p.t, Number.NaN)
      const timed = rows.filter((raw) => !Number.isNaN(timeOf(raw)))
      const first = timed[0]
      const last = timed[timed.length - 1]
      // Nothing to key on (an empty page that still says there is more): follow the server's cursor.
      if (first === undefined || last === undefined) return { ...p, cursor: page.nextPage }
      if (p._tag === "Range") {
        if (timeOf(first) < timeOf(last)) return { _tag: "Range", t: timeOf(last), inclusive: true }
        const c = createdOf(last)
        return Number.isNaN(c) ? chain(timeOf(last), c) : { _tag: "Instant", t: timeOf(last), c, inclusive: true }
      }
      const cFirst = createdOf(first)
      const cLast = createdOf(last)
      if (Number.isNaN(cFirst) || Number.isNaN(cLast)) return chain(p.t, Number.NaN)
      return cFirst < cLast ? { _tag: "Instant", t: p.t, c: cLast, inclusive: true } : chain(p.t, cLast)
    }
    case "Chain": {
      const served = new Set(p.served)
      for (const raw of page.results) {
        const id = rawIdOf(raw)
        if (id !== undefined) served.add(id)
      }
      const pages = p.pages + 1
      if (page.nextPage !== undefined) return { ...p, cursor: page.nextPage, served, pages }
      // One page is one answer: nothing can have shifted under it.
      return pages === 1 || served.size === 0
        ? after(r, p.t, p.c)
        : { _tag: "Verify", t: p.t, c: p.c, ids: [...served], from: 0, reads: p.reads }
    }
    case "Verify": {
      const wanted = p.ids.slice(p.from, p.from + r.pageSize)
      const found = new Set(rows.map(rawIdOf))
      // One the chain served has left the pair during the read: the chain may have skipped one; read it again.
      if (wanted.some((id) => !found.has(id))) return chain(p.t, p.c, p.reads + 1)
      const from = p.from + wanted.length
      return from < p.ids.length ? { ...p, from } : after(r, p.t, p.c)
    }
  }
}

/**
 * Whether reading `page` at `p` (then moving to `next`) got anywhere: a record not read before (by
 * this chain, for a chain), or a keyset position that moved on. Only pages that follow Bill.com's
 * cursor can fail to: a server that keeps answering empty pages, or the same records, with a
 * fresh cursor.
 */
export const progressed = (p: Reading, next: Position, page: Page, delivered: Delivered): boolean => {
  if (p._tag === "Verify" || next._tag === "Done") return true
  const fresh = page.results.some((raw) => {
    const id = rawIdOf(raw)
    if (id === undefined) return true
    return p._tag === "Chain" ? !p.served.has(id) : delivered.isNew(raw)
  })
  if (fresh) return true
  if (p._tag === "Chain" || p.cursor !== undefined || next._tag === "Unsettled") return false
  const key = (q: Position): [number, number] =>
    q._tag === "Range"
      ? [q.t, q.inclusive ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY]
      : q._tag === "Instant"
        ? [q.t, q.c + (q.inclusive ? 0 : 0.5)]
        : q._tag === "Done" || q._tag === "Unsettled"
          ? [Infinity, Infinity]
          : [q.t, Number.isNaN(q.c) ? -1 : q.c]
  const [t0, c0] = key(p)
  const [t1, c1] = key(next)
  return t1 > t0 || (t1 === t0 && c1 > c0)
}

export const unsettledError = (path: string, t: number) =>
  new BillcomError({
    reason: "Pagination",
    message: `Bill.com GET ${path}: the records updated at ${isoOf(t)} kept changing while they were read (${MAX_CHAIN_READS} reads); stopping rather than risk missing one`,
    advice: "Run the sync again: the list is read from the last position every record before it was stored.",
    endpoint: `GET ${path}`
  })

export const idleError = (path: string) =>
  new BillcomError({
    reason: "Pagination",
    message: `Bill.com GET ${path} returned ${MAX_IDLE_PAGES} pages in a row that brought nothing new (empty, or only records already read); stopping instead of paging without end`,
    advice:
      "Bill.com's paging misbehaved for this list; the run stopped before spending the request budget. Run the sync again later; if it repeats, report it to Bill.com support with the endpoint.",
    endpoint: `GET ${path}`
  })

/**
 * What a read has delivered (id → updatedTime): a record is delivered again only in a newer
 * version (it changed while the list was read), never twice in the same one.
 */
export class Delivered {
  private readonly seen = new Map<string, number>()

  constructor(rows: ReadonlyArray<unknown> = []) {
    for (const raw of rows) this.take(raw)
  }

  isNew(raw: unknown): boolean {
    const id = rawIdOf(raw)
    if (id === undefined) return true
    const before = this.seen.get(id)
    const t = timeOf(raw)
    return before === undefined || (!Number.isNaN(t) && t > before)
  }

  /** Whether to deliver `raw` (and remember it). */
  take(raw: unknown): boolean {
    if (!this.isNew(raw)) return false
    const id = rawIdOf(raw)
    if (id !== undefined) this.seen.set(id, timeOf(raw))
    return true
  }

  /**
   * The rows to deliver from one page. Two copies of one id in the same page with the same time and
   * different content (Bill.com sent two versions at once) are both delivered, so the sync can say
   * so (duplicate-in-read) instead of one silently winning.
   */
  filter(rows: ReadonlyArray<unknown>): Array<unknown> {
    const inPage = new Map<string, unknown>()
    return rows.filter((raw) => {
      const id = rawIdOf(raw)
      if (this.take(raw)) {
        if (id !== undefined) inPage.set(id, raw)
        return true
      }
      const first = id === undefined ? undefined : inPage.get(id)
      return first !== undefined && first !== raw && JSON.stringify(first) !== JSON.stringify(raw)
    })
  }
}
