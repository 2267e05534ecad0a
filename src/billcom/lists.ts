import { Chunk, Effect, Option, Stream } from "effect"
import { BillcomError } from "./errors.ts"
import { ascending, OrderedMerge, readPartitioned, timeOf, type Page } from "./partition.ts"
import type { Transport } from "./transport.ts"

export { timeOf, Watermark } from "./partition.ts"

/**
 * v3 lists as streams of raw records (§3): always `max` = page size, sorted by updatedTime then
 * createdTime, stop when `nextPage` is absent (never on an empty page), fail on a repeated cursor.
 *
 * Large lists are partitioned so they are not bound to one request in flight: page 1 (ascending)
 * and one descending page give the two ends of the updatedTime range; the range between them is
 * read as windows by `concurrency` lanes under the shared limiter (partition.ts) and emitted in
 * ascending updatedTime — or, with `ordered: false`, as pages arrive with watermarks (what the
 * sync reads: it moves its cursor on them). A list of ≤ 200 records costs the same 2 calls as without partitioning; beyond
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
  /**
   * false: a partitioned read emits pages as they arrive (not in updatedTime order), interleaved
   * with `Watermark` markers (partition.ts) that say up to when everything has been emitted. A
   * caller that stores what it reads and moves a cursor on the markers then never waits for the
   * head window while lanes ahead sit on finished pages. Default true: ascending, no markers.
   */
  readonly ordered?: boolean | undefined
}

export const SORT_ASC = "updatedTime:asc,createdTime:asc"
export const SORT_DESC = "updatedTime:desc,createdTime:desc"

interface Query {
  readonly sort: string
  readonly filters: ReadonlyArray<string>
}

const isoOf = (t: string | Date | number): string => {
  const d = t instanceof Date ? t : new Date(t)
  if (Number.isNaN(d.getTime())) throw new Error(`not an instant: ${String(t)}`)
  return d.toISOString()
}

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

        const merge = new OrderedMerge(first.results)
        if (probe.nextPage === undefined || pMin < tLast) {
          // The two ends overlap: page 1 and the descending page hold the whole list.
          const tail = ascending(probe.results.filter((r) => timeOf(r) >= tLast))
          return Stream.concat(page1, Stream.suspend(() => Stream.fromIterable(merge.tail(tail))))
        }

        // Page 1's records per ms carve the first window (the density next to it); a page 1 at one
        // instant (a bulk edit) says nothing: then assume a couple of pages until pages show more.
        const density = tLast > tFirst ? first.results.length / (tLast - tFirst) : (2 * pageSize) / Math.max(1, pMin - tLast)
        return Stream.concat(
          page1,
          readPartitioned({
            path,
            concurrency,
            pageSize,
            fetch: (filters, cursor) => fetchPage(path, { sort: SORT_ASC, filters }, cursor),
            windowFilters: (lo, hi, last) => windowFilters(base.filters, lo, hi, last),
            head: { filters: base.filters, cursor: first.nextPage },
            lo: tLast,
            hi: pMin,
            density,
            merge,
            tail: ascending(probe.results.filter((r) => timeOf(r) > pMin)),
            ordered: options.ordered !== false
          })
        )
      })
    )

  return { list, fetchPage, chain }
}

