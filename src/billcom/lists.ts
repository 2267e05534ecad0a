import { Chunk, Effect, Option, Stream } from "effect"
import { BillcomError } from "./errors.ts"
import {
  advance,
  ascending,
  deliverable,
  Delivered,
  progressed,
  idleError,
  isoOf,
  MAX_IDLE_PAGES,
  requestOf,
  start,
  timeOf,
  unsettledError,
  type Page,
  type Reading,
  type Request
} from "./keyset.ts"
import { readPartitioned } from "./partition.ts"
import type { Transport } from "./transport.ts"

export { timeOf } from "./keyset.ts"
export { Watermark } from "./partition.ts"

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
 * Data changes while it is read. Beyond page 1 every page is a keyset query (keyset.ts) — never an
 * offset that a record edited meanwhile could shift — so every record that existed when the read
 * began is delivered at least once, in a version no older than it had then; what changed during
 * the read is read last (from the read's start on), and the last watermark is the read's start, so
 * the next incremental read delivers the latest of it. A list that keeps answering pages with
 * nothing new fails with a Pagination error naming the endpoint (MAX_IDLE_PAGES).
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

  const fetchPage = (
    path: string,
    query: Query,
    cursor: string | undefined,
    max = pageSize
  ): Effect.Effect<Page, BillcomError> =>
    transport
      .execute({
        api: "v3",
        method: "GET",
        path,
        endpoint: `GET ${path}`,
        query: {
          max: String(max),
          sort: query.sort,
          ...(query.filters.length > 0 ? { filters: query.filters.join(",") } : {}),
          ...(cursor !== undefined ? { page: cursor } : {})
        }
      })
      .pipe(
        Effect.flatMap((json) => {
          const body = json as { results?: unknown; nextPage?: unknown } | undefined
          if (typeof body !== "object" || body === null || !Array.isArray(body.results))
            return new BillcomError({
              reason: "Decode",
              message: `Bill.com GET ${path} answered without a results array`,
              endpoint: `GET ${path}`
            })
          const next = typeof body.nextPage === "string" && body.nextPage !== "" ? body.nextPage : undefined
          return Effect.succeed({ results: body.results, nextPage: next })
        })
      )

  /**
   * Follow `nextPage` from `start` (undefined = page 1) to the end (lists whose records carry no
   * usable updatedTime), failing on a repeated cursor or MAX_IDLE_PAGES pages in a row with nothing new.
   */
  const chain = (
    path: string,
    query: Query,
    start: string | undefined,
    delivered = new Delivered()
  ): Stream.Stream<unknown, BillcomError> =>
    Stream.suspend(() => {
      const seen = new Set<string>(start === undefined ? [] : [start])
      let idle = 0
      return Stream.paginateChunkEffect(start, (cursor: string | undefined) =>
        Effect.flatMap(fetchPage(path, query, cursor), (page) => {
          const fresh = delivered.filter(page.results)
          idle = fresh.length > 0 ? 0 : idle + 1
          if (page.nextPage !== undefined) {
            if (seen.has(page.nextPage))
              return new BillcomError({
                reason: "Pagination",
                message: `Bill.com GET ${path} returned a page cursor it had already returned; stopping instead of looping`,
                endpoint: `GET ${path}`
              })
            if (idle >= MAX_IDLE_PAGES) return idleError(path)
            seen.add(page.nextPage)
          }
          return Effect.succeed([Chunk.fromIterable(fresh), Option.fromNullable(page.nextPage)] as const)
        })
      )
    })

  const fetchRequest = (path: string) => (request: Request) =>
    fetchPage(path, { sort: SORT_ASC, filters: request.filters }, request.cursor, request.max)

  /** Keyset pages of [lo, ∞) in ascending updatedTime (keyset.ts), one at a time. */
  const sequential = (
    path: string,
    base: ReadonlyArray<string>,
    lo: number,
    delivered: Delivered
  ): Stream.Stream<unknown, BillcomError> =>
    Stream.suspend(() => {
      const range = { base, hi: Number.POSITIVE_INFINITY, hiInclusive: false, pageSize }
      const fetch = fetchRequest(path)
      let idle = 0
      return Stream.paginateChunkEffect(start(lo) as Reading, (position) =>
        Effect.flatMap(fetch(requestOf(range, position)), (page) => {
          const next = advance(range, position, page)
          idle = progressed(position, next, page, delivered) ? 0 : idle + 1
          if (idle >= MAX_IDLE_PAGES) return idleError(path)
          const rows = delivered.filter(deliverable(range, position, page))
          if (next._tag === "Unsettled") return unsettledError(path, next.t)
          return Effect.succeed([
            Chunk.fromIterable(rows),
            next._tag === "Done" ? Option.none() : Option.some(next)
          ] as const)
        })
      )
    })

  const list = (path: string, options: ListOptions = {}): Stream.Stream<unknown, BillcomError> =>
    Stream.unwrap(
      Effect.gen(function* () {
        const base: Query = { sort: SORT_ASC, filters: baseFilters(options) }
        const first = yield* fetchPage(path, base, undefined)
        const page1 = Stream.fromIterable(first.results)
        if (first.nextPage === undefined) return page1
        const delivered = new Delivered(first.results)
        const times1 = first.results.map(timeOf)
        // Records without a usable updatedTime, or a server that ignored the sort: only its cursor can page.
        if (times1.length === 0 || times1.some(Number.isNaN))
          return Stream.concat(page1, chain(path, base, first.nextPage, delivered))
        const tFirst = times1[0]!
        const tLast = times1[times1.length - 1]!
        if (tLast < tFirst) return Stream.concat(page1, chain(path, base, first.nextPage, delivered))
        if (options.partition === false) return Stream.concat(page1, sequential(path, base.filters, tLast, delivered))

        const probe = yield* fetchPage(path, { sort: SORT_DESC, filters: base.filters }, undefined)
        const timesP = probe.results.map(timeOf)
        if (timesP.length === 0 || timesP.some(Number.isNaN))
          return Stream.concat(page1, sequential(path, base.filters, tLast, delivered))
        const pMin = Math.min(...timesP)
        const pMax = Math.max(...timesP)

        if (probe.nextPage === undefined || pMin < tLast) {
          // The two ends overlap: page 1 and the descending page hold the whole list (a record
          // changed after the descending page was read is newer than everything on it: the next
          // incremental read has it).
          const tail = ascending(probe.results.filter((r) => timeOf(r) >= tLast))
          return Stream.concat(
            page1,
            Stream.suspend(() => Stream.fromIterable(delivered.filter(tail)))
          )
        }

        // Page 1's records per ms carve the first window (the density next to it); a page 1 at one
        // instant (a bulk edit) says nothing: then assume a couple of pages until pages show more.
        const density =
          tLast > tFirst ? first.results.length / (tLast - tFirst) : (2 * pageSize) / Math.max(1, pMin - tLast)
        return Stream.concat(
          page1,
          readPartitioned({
            path,
            concurrency,
            pageSize,
            fetch: fetchRequest(path),
            base: base.filters,
            lo: tLast,
            hi: pMin,
            start: pMax,
            density,
            delivered,
            tail: ascending(probe.results.filter((r) => timeOf(r) > pMin)),
            ordered: options.ordered !== false
          })
        )
      })
    )

  return { list, fetchPage, chain }
}
