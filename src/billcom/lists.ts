import { Chunk, Effect, Option, Stream } from "effect"
import { BillcomError } from "./errors.ts"
import { rawIdOf } from "./pulled.ts"
import type { Transport } from "./transport.ts"

/**
 * v3 lists as streams of raw records (§3): always `max` = page size, sorted by updatedTime then
 * createdTime, stop when `nextPage` is absent (never on an empty page), fail on a repeated cursor.
 *
 * Large lists are partitioned so they are not bound to one request in flight: page 1 (ascending)
 * and one descending page give the two ends of the updatedTime range and the record density; the
 * range between them is cut into windows pulled concurrently (under the shared limiter) and
 * emitted IN ORDER, so the stream stays in ascending updatedTime — the sync advances its cursor on
 * that assumption. A list of ≤ 200 records costs the same 2 calls as without partitioning; beyond
 * that, each window costs at most one partial page.
 *
 * Server-side filters and the cutoff: Bill.com cannot filter bills by invoice date, and no
 * documented filter is a safe superset of a business-date cutoff (dueDate may precede the invoice
 * date, createdTime is unrelated to it; payments' processDate and vendor credits' creditDate
 * filters are undocumented), so callers apply the cutoff to the pulled records. Safe server-side
 * filters: `updatedTime:gte` (incremental), `archived:eq`, `id:in`.
 */
export interface ListOptions {
  /** Only records updated at or after this instant (sent as `updatedTime:gte:"…Z"`, explicit UTC). */
  readonly updatedSince?: string | Date | undefined
  /** `archived:eq:…`; omit to get both (the sync never filters archived out of incremental reads). */
  readonly archived?: boolean | undefined
  /** More `field:op:value` filters, ANDed. */
  readonly filters?: ReadonlyArray<string> | undefined
  /** Pull large lists as concurrent updatedTime windows (default true). */
  readonly partition?: boolean | undefined
}

export const SORT_ASC = "updatedTime:asc,createdTime:asc"
export const SORT_DESC = "updatedTime:desc,createdTime:desc"
/** Below this many estimated pages between the two ends, one window (a plain chain) is cheapest. */
export const MIN_PAGES_TO_SPLIT = 6
/** Windows are buffered whole (to keep the output ordered): this bounds memory per window. */
export const MAX_PAGES_PER_WINDOW = 40
export const MAX_WINDOWS = 64
/** From this many estimated pages, twice as many windows as requests in flight (load balancing). */
export const BALANCE_FROM_PAGES = 40

interface Page {
  readonly results: ReadonlyArray<unknown>
  readonly nextPage: string | undefined
}

interface Query {
  readonly sort: string
  readonly filters: ReadonlyArray<string>
}

const isoOf = (t: string | Date | number): string => {
  const d = t instanceof Date ? t : new Date(t)
  if (Number.isNaN(d.getTime())) throw new Error(`not an instant: ${String(t)}`)
  return d.toISOString()
}

export const timeOf = (raw: unknown): number => {
  const t = typeof raw === "object" && raw !== null ? (raw as { updatedTime?: unknown }).updatedTime : undefined
  return typeof t === "string" ? Date.parse(t) : Number.NaN
}

const createdOf = (raw: unknown): number => {
  const t = typeof raw === "object" && raw !== null ? (raw as { createdTime?: unknown }).createdTime : undefined
  return typeof t === "string" ? Date.parse(t) : 0
}

const ascending = (rows: ReadonlyArray<unknown>) =>
  [...rows].sort((a, b) => timeOf(a) - timeOf(b) || createdOf(a) - createdOf(b))

/** The filters for options (without the partition windows). */
export const baseFilters = (options: ListOptions): Array<string> => {
  const out: Array<string> = []
  if (options.updatedSince !== undefined) out.push(`updatedTime:gte:"${isoOf(options.updatedSince)}"`)
  if (options.archived !== undefined) out.push(`archived:eq:${options.archived}`)
  if (options.filters !== undefined) out.push(...options.filters)
  return out
}

export const makeLists = (transport: Transport) => {
  const pageSize = transport.settings.pageSize
  const concurrency = transport.settings.concurrency

  const fetchPage = (path: string, query: Query, cursor: string | undefined): Effect.Effect<Page, BillcomError> =>
    transport
      .execute({
        api: "v3",
        method: "GET",
        path,
        endpoint: `GET ${path}`,
        query: {
          max: String(pageSize),
          sort: query.sort,
          ...(query.filters.length > 0 ? { filters: query.filters.join(",") } : {}),
          ...(cursor !== undefined ? { page: cursor } : {})
        }
      })
      .pipe(
        Effect.flatMap((json) => {
          const body = json as { results?: unknown; nextPage?: unknown } | undefined
          if (typeof body !== "object" || body === null || !Array.isArray(body.results))
            return new BillcomError({ reason: "Decode", message: `Bill.com GET ${path} answered without a results array`, endpoint: `GET ${path}` })
          const next = typeof body.nextPage === "string" && body.nextPage !== "" ? body.nextPage : undefined
          return Effect.succeed({ results: body.results, nextPage: next })
        })
      )

  /** Follow `nextPage` from `start` (undefined = page 1) to the end, failing on a repeated cursor. */
  const chain = (path: string, query: Query, start: string | undefined): Stream.Stream<unknown, BillcomError> =>
    Stream.suspend(() => {
      const seen = new Set<string>(start === undefined ? [] : [start])
      return Stream.paginateChunkEffect(start, (cursor: string | undefined) =>
        Effect.flatMap(fetchPage(path, query, cursor), (page) => {
          if (page.nextPage !== undefined) {
            if (seen.has(page.nextPage))
              return new BillcomError({
                reason: "Pagination",
                message: `Bill.com GET ${path} returned a page cursor it had already returned; stopping instead of looping`,
                endpoint: `GET ${path}`
              })
            seen.add(page.nextPage)
          }
          return Effect.succeed([Chunk.fromIterable(page.results), Option.fromNullable(page.nextPage)] as const)
        })
      )
    })

  const windowFilters = (base: ReadonlyArray<string>, lo: number, hi: number, last: boolean) => [
    ...base,
    `updatedTime:gte:"${isoOf(lo)}"`,
    `updatedTime:${last ? "lte" : "lt"}:"${isoOf(hi)}"`
  ]

  const list = (path: string, options: ListOptions = {}): Stream.Stream<unknown, BillcomError> =>
    Stream.unwrap(
      Effect.gen(function* () {
        const base: Query = { sort: SORT_ASC, filters: baseFilters(options) }
        const first = yield* fetchPage(path, base, undefined)
        const page1 = Stream.fromIterable(first.results)
        if (first.nextPage === undefined) return page1
        const sequential = () => Stream.concat(page1, chain(path, base, first.nextPage))
        const times1 = first.results.map(timeOf)
        if (options.partition === false || times1.length === 0 || times1.some(Number.isNaN)) return sequential()
        const tFirst = times1[0]!
        const tLast = times1[times1.length - 1]!
        if (tLast < tFirst) return sequential() // the server ignored the sort: windows would be meaningless

        const probe = yield* fetchPage(path, { sort: SORT_DESC, filters: base.filters }, undefined)
        const timesP = probe.results.map(timeOf)
        if (timesP.length === 0 || timesP.some(Number.isNaN)) return sequential()
        const pMin = Math.min(...timesP)
        const pMax = Math.max(...timesP)

        const merge = new OrderedMerge(first.results)
        if (probe.nextPage === undefined || pMin < tLast) {
          // The two ends overlap: page 1 and the descending page hold the whole list.
          const tail = ascending(probe.results.filter((r) => timeOf(r) >= tLast))
          return Stream.concat(page1, Stream.suspend(() => Stream.fromIterable(merge.tail(tail))))
        }

        const perPage = (Math.max(1, tLast - tFirst) + Math.max(1, pMax - pMin)) / 2
        const estimated = (pMin - tLast) / perPage
        // Time windows rarely hold equal counts; with more windows than requests in flight, a lane
        // that finishes a small window takes the next one. Each window costs at most one partial page.
        const lanes = estimated >= BALANCE_FROM_PAGES ? 2 * concurrency : concurrency
        const wanted = estimated < MIN_PAGES_TO_SPLIT ? 1 : Math.max(lanes, Math.ceil(estimated / MAX_PAGES_PER_WINDOW))
        const count = Math.max(1, Math.min(MAX_WINDOWS, wanted, pMin - tLast))
        const bounds = Array.from({ length: count + 1 }, (_, i) => (i === count ? pMin : tLast + Math.floor(((pMin - tLast) * i) / count)))
        const windows = Array.from({ length: count }, (_, i) => ({ lo: bounds[i]!, hi: bounds[i + 1]!, last: i === count - 1 }))
        yield* Effect.logDebug("Bill.com list partitioned").pipe(
          Effect.annotateLogs({ path, windows: count, estimatedPages: Math.round(estimated) + 2 })
        )

        const middle = Stream.fromIterable(windows).pipe(
          Stream.mapEffect(
            (w) =>
              Stream.runCollect(chain(path, { sort: SORT_ASC, filters: windowFilters(base.filters, w.lo, w.hi, w.last) }, undefined)).pipe(
                Effect.map((rows) => merge.window(Chunk.toReadonlyArray(rows), w.lo, w.hi, w.last))
              ),
            { concurrency }
          ),
          Stream.flattenIterables
        )
        const tail = ascending(probe.results.filter((r) => timeOf(r) > pMin))
        return Stream.concat(page1, Stream.concat(middle, Stream.suspend(() => Stream.fromIterable(merge.tail(tail)))))
      })
    )

  return { list, fetchPage, chain }
}

/**
 * Keeps a partitioned read exactly-once and ascending: records already emitted (page 1) are not
 * emitted again unless newer; a record rendered outside its window (changed while the list was
 * being read) is deferred to the end, where only its newest copy is emitted if no window had it.
 */
class OrderedMerge {
  private readonly emitted = new Map<string, number>()
  private readonly deferred = new Map<string, { raw: unknown; t: number }>()

  constructor(page1: ReadonlyArray<unknown>) {
    for (const raw of page1) {
      const id = rawIdOf(raw)
      if (id !== undefined) this.emitted.set(id, timeOf(raw))
    }
  }

  private fresh(raw: unknown, t: number): boolean {
    const id = rawIdOf(raw)
    if (id === undefined) return true
    const before = this.emitted.get(id)
    if (before !== undefined && before >= t) return false
    const d = this.deferred.get(id)
    if (d !== undefined && d.t <= t) this.deferred.delete(id)
    return true
  }

  window(rows: ReadonlyArray<unknown>, lo: number, hi: number, last: boolean): Array<unknown> {
    const out: Array<unknown> = []
    for (const raw of rows) {
      const t = timeOf(raw)
      const inside = t >= lo && (last ? t <= hi : t < hi)
      const id = rawIdOf(raw)
      if (!inside && id !== undefined) {
        const d = this.deferred.get(id)
        if (d === undefined || d.t < t) this.deferred.set(id, { raw, t })
        continue
      }
      if (this.fresh(raw, t)) out.push(raw)
    }
    return out
  }

  tail(rows: ReadonlyArray<unknown>): Array<unknown> {
    const out = rows.filter((raw) => this.fresh(raw, timeOf(raw)))
    const rest = [...this.deferred.values()].map((d) => d.raw)
    this.deferred.clear()
    return [...out, ...ascending(rest)]
  }
}
