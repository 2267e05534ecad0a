import { Chunk, Effect, FiberSet, Option, Queue, Stream } from "effect"
import { BillcomError } from "./errors.ts"
import { rawIdOf } from "./pulled.ts"

/**
 * The middle of a large list, read as updatedTime windows by `concurrency` lanes and emitted in
 * ascending order (the sync advances its cursor on that). Windows are not planned up front — the
 * two ends of the list say little about the density in between — but carved and re-cut from what
 * the pages show:
 * - a free lane takes the next unstarted range and carves ~WINDOW_PAGES pages off its front, at
 *   the density its neighbour observed; a window seen to hold far more is cut at that size;
 * - with nothing left to start, a free lane halves the window with the most pages left (the tail);
 * - records fetched and not yet taken by the consumer are capped (MAX_HELD_PAGES): lanes ahead of
 *   the head window pause there, and the head waits for the consumer. Memory is flat in list size.
 * Every cut costs at most one partial page, so calls stay within a few % of the minimum.
 */
export interface Page {
  readonly results: ReadonlyArray<unknown>
  readonly nextPage: string | undefined
}

/**
 * In an unordered read (`ordered: false`): every record updated before `time` (ms since the epoch)
 * has been emitted before this marker, so a consumer may move its cursor up to it once what came
 * before is stored. `Infinity` closes the list. Records are plain JSON, so `instanceof` tells them apart.
 */
export class Watermark {
  constructor(readonly time: number) {}
}

/** Pages carved into one window: ≤ 1 partial page each keeps calls within ~2–4 % of the minimum. */
export const WINDOW_PAGES = 25
/** A window estimated to hold more than this many pages left is cut back to WINDOW_PAGES. */
export const OVERSIZE_PAGES = 2 * WINDOW_PAGES
/** Records held (fetched, not taken by the consumer), in pages, beyond which lanes ahead of the head pause. */
export const MAX_HELD_PAGES = 100
/** A free lane with nothing to start splits the fullest window only when it has this many pages left. */
export const MIN_SPLIT_PAGES = 6

export const timeOf = (raw: unknown): number => {
  const t = typeof raw === "object" && raw !== null ? (raw as { updatedTime?: unknown }).updatedTime : undefined
  return typeof t === "string" ? Date.parse(t) : Number.NaN
}

const createdOf = (raw: unknown): number => {
  const t = typeof raw === "object" && raw !== null ? (raw as { createdTime?: unknown }).createdTime : undefined
  return typeof t === "string" ? Date.parse(t) : 0
}

export const ascending = (rows: ReadonlyArray<unknown>) => [...rows].sort((a, b) => timeOf(a) - timeOf(b) || createdOf(a) - createdOf(b))

export interface PartitionInput {
  readonly path: string
  readonly concurrency: number
  readonly pageSize: number
  /** One ascending page with these server filters, from `cursor` (undefined = first). */
  readonly fetch: (filters: ReadonlyArray<string>, cursor: string | undefined) => Effect.Effect<Page, BillcomError>
  /** Server filters of a window [lo, hi) or [lo, hi]. */
  readonly windowFilters: (lo: number, hi: number, inclusive: boolean) => ReadonlyArray<string>
  /** Page 1's chain, continued from its cursor (the unfiltered-above head window). */
  readonly head: { readonly filters: ReadonlyArray<string>; readonly cursor: string }
  /** The range to read: [lo, hi] (hi inclusive: the descending probe's oldest time). */
  readonly lo: number
  readonly hi: number
  /** Records per ms to carve the first windows with (page 1's), until pages show more. */
  readonly density: number
  readonly merge: OrderedMerge
  /** Emitted after the windows (the probe's records above `hi`, ascending). */
  readonly tail: ReadonlyArray<unknown>
  /**
   * true: emit in ascending updatedTime (only the head window's rows flow; lanes ahead hold theirs).
   * false: emit every window's rows as their pages arrive, with Watermark markers — the consumer
   * never waits for the head window while lanes ahead sit on finished pages.
   */
  readonly ordered: boolean
}

interface Window {
  lo: number
  hi: number
  /** hi inclusive (only the last window). */
  inclusive: boolean
  started: boolean
  filters: ReadonlyArray<string>
  /** The server's upper bound at start, exclusive: rows outside its range changed while the list was read. */
  serverHi: number
  cursor: string | undefined
  readonly seen: Set<string>
  busy: boolean
  done: boolean
  rows: Array<unknown>
  /** In-range records fetched, and the updatedTime of the last one (lo before any). */
  count: number
  lastT: number
  /** Records per ms on the latest page with ≥ half a page in range over > 1 instant. */
  recent: number | undefined
}

type Event =
  | { readonly _tag: "Page"; readonly window: Window; readonly page: Page }
  | { readonly _tag: "Failed"; readonly error: BillcomError }
  | { readonly _tag: "Taken"; readonly n: number }

type Out = { readonly _tag: "Rows"; readonly rows: Chunk.Chunk<unknown> } | { readonly _tag: "End" } | { readonly _tag: "Failed"; readonly error: BillcomError }

const pending = (lo: number, hi: number, inclusive: boolean): Window => ({
  lo, hi, inclusive, started: false, filters: [], serverHi: inclusive ? hi + 1 : hi, cursor: undefined, seen: new Set(), busy: false, done: false, rows: [], count: 0, lastT: lo, recent: undefined
})

export const readPartitioned = (input: PartitionInput): Stream.Stream<unknown, BillcomError> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const { pageSize, merge } = input
      const events = yield* Queue.unbounded<Event>()
      const out = yield* Queue.unbounded<Out>()
      const fibers = yield* FiberSet.make()
      const cap = MAX_HELD_PAGES * pageSize
      const head: Window = { ...pending(input.lo, input.hi, true), started: true, filters: input.head.filters, serverHi: Infinity, cursor: input.head.cursor }
      const windows: Array<Window> = [head]
      let inFlight = 0
      let outstanding = 0
      let ended = false
      let mark = Number.NEGATIVE_INFINITY
      const counts = { windows: 1, cuts: 0, splits: 0 }

      const held = () => windows.reduce((n, w, i) => (i === 0 ? n : n + w.rows.length), outstanding)
      const inside = (w: Window, t: number) => t >= w.lo && (w.inclusive ? t <= w.hi : t < w.hi)
      /**
       * Records per ms a window has shown: on its latest full page (the best guess for what follows),
       * else over what it read; a window that ended nearly empty says "sparse" over its whole range.
       * Records all at one instant (a bulk edit) say nothing about the spread.
       */
      const densityOf = (w: Window): number | undefined => {
        if (w.recent !== undefined) return w.recent
        if (w.done) return Math.max(1, w.count) / Math.max(1, w.hi - w.lo)
        return w.count >= pageSize / 2 && w.lastT > w.lo ? w.count / (w.lastT - w.lo) : undefined
      }
      /** Nearest observed density: the window itself, then earlier windows, then later ones. */
      const densityNear = (i: number): number => {
        for (let j = i; j >= 0; j--) {
          const d = densityOf(windows[j]!)
          if (d !== undefined) return d
        }
        for (let j = i + 1; j < windows.length; j++) {
          const d = densityOf(windows[j]!)
          if (d !== undefined) return d
        }
        return input.density
      }
      const pagesLeft = (i: number) => {
        const w = windows[i]!
        return (densityNear(i) * Math.max(0, w.hi - w.lastT)) / pageSize
      }
      /** Window i keeps [lo, at); a new unstarted window [at, hi] follows it. */
      const cutAt = (i: number, at: number): boolean => {
        const w = windows[i]!
        if (!(at > w.lastT && (w.inclusive ? at <= w.hi : at < w.hi))) return false
        windows.splice(i + 1, 0, pending(at, w.hi, w.inclusive))
        w.hi = at
        w.inclusive = false
        return true
      }
      const spanOf = (i: number, pages: number) => Math.max(1, Math.ceil((pages * pageSize) / densityNear(i)))

      const start = (i: number) =>
        Effect.gen(function* () {
          const w = windows[i]!
          if (!w.started) {
            const span = spanOf(i, WINDOW_PAGES)
            // Leave no sliver behind: a rest under half a window goes with this one.
            if (w.hi - w.lo > span + span / 2 && cutAt(i, w.lo + span)) counts.windows++
            w.started = true
            w.filters = input.windowFilters(w.lo, w.hi, w.inclusive)
            w.serverHi = w.inclusive ? w.hi + 1 : w.hi
          }
          w.busy = true
          inFlight++
          yield* FiberSet.run(
            fibers,
            input.fetch(w.filters, w.cursor).pipe(
              Effect.matchEffect({
                onFailure: (error) => Queue.offer(events, { _tag: "Failed", error }),
                onSuccess: (page) => Queue.offer(events, { _tag: "Page", window: w, page })
              })
            )
          )
        })

      /** The next window a free lane should fetch a page of (index), or undefined. */
      const pick = (): number | undefined => {
        const h = windows[0]
        if (h === undefined) return undefined
        if (!h.busy && !h.done) return outstanding < cap ? 0 : undefined
        if (held() >= cap) return undefined
        for (let i = 1; i < windows.length; i++) if (windows[i]!.started && !windows[i]!.busy && !windows[i]!.done) return i
        for (let i = 1; i < windows.length; i++) if (!windows[i]!.started) return i
        // Nothing to start: split the earliest window with at least half the most pages left (near
        // the head, so what lanes hold stays small), keeping it ≤ WINDOW_PAGES more pages.
        const left = windows.map((w, i) => (w.done || !w.started ? 0 : pagesLeft(i)))
        const most = Math.max(...left)
        if (most < MIN_SPLIT_PAGES) return undefined
        const best = left.findIndex((l) => l >= Math.max(MIN_SPLIT_PAGES, most / 2))
        const w = windows[best]!
        const keep = Math.min(WINDOW_PAGES, left[best]! / 2)
        const at = Math.min(w.lastT + spanOf(best, keep), w.lastT + Math.max(1, Math.floor((w.hi - w.lastT) / 2)))
        if (!cutAt(best, at)) return undefined
        counts.splits++
        counts.windows++
        return best + 1
      }

      const schedule = Effect.gen(function* () {
        while (inFlight < input.concurrency) {
          const i = pick()
          if (i === undefined) return
          yield* start(i)
        }
      })

      const onPage = (w: Window, page: Page): Effect.Effect<void, BillcomError> => {
        inFlight--
        w.busy = false
        if (page.nextPage !== undefined) {
          if (w.seen.has(page.nextPage))
            return new BillcomError({
              reason: "Pagination",
              message: `Bill.com GET ${input.path} returned a page cursor it had already returned; stopping instead of looping`,
              endpoint: `GET ${input.path}`
            })
          w.seen.add(page.nextPage)
        }
        let firstT = Number.NaN
        const before = w.count
        for (const raw of page.results) {
          const t = timeOf(raw)
          if (Number.isNaN(t)) w.rows.push(raw) // no usable time (a malformed record): keep it where the server put it
          else if (inside(w, t)) {
            w.rows.push(raw)
            w.count++
            if (Number.isNaN(firstT)) firstT = t
            if (t > w.lastT) w.lastT = t
          } else if (t >= w.hi && t < w.serverHi) w.done = true // the next window's (this one was cut): ascending, so the rest is too
          else merge.defer(raw, t) // outside what the server was asked for: changed while the list was read
        }
        if (w.count - before >= pageSize / 2 && w.lastT > firstT) w.recent = (w.count - before) / (w.lastT - firstT)
        if (page.nextPage === undefined) w.done = true
        w.cursor = w.done ? undefined : page.nextPage
        const i = windows.indexOf(w)
        // Full: close the window before its last instant (whose records all sit on this page) and
        // leave the rest to another window — bounded windows bound what lanes ahead of the head hold.
        if (!w.done && w.count >= WINDOW_PAGES * pageSize && firstT < w.lastT) {
          const at = w.lastT
          const keep = w.rows.filter((raw) => timeOf(raw) !== at)
          w.count -= w.rows.length - keep.length
          w.rows = keep
          windows.splice(i + 1, 0, pending(at, w.hi, w.inclusive))
          w.hi = at
          w.inclusive = false
          w.done = true
          w.cursor = undefined
          counts.windows++
        }
        if (!w.done && pagesLeft(i) > OVERSIZE_PAGES && cutAt(i, w.lastT + spanOf(i, Math.max(1, WINDOW_PAGES - w.count / pageSize)))) {
          counts.cuts++
          counts.windows++
        }
        return Effect.void
      }

      const emit = (rows: ReadonlyArray<unknown>) =>
        Effect.gen(function* () {
          outstanding += rows.length
          // Page-sized chunks: the consumer (decode, writes) shares this thread with the lanes.
          for (let k = 0; k < rows.length; k += pageSize) yield* Queue.offer(out, { _tag: "Rows", rows: Chunk.unsafeFromArray(rows.slice(k, k + pageSize)) })
        })
      const take = (w: Window) => {
        const rows = w.rows.filter((raw) => merge.fresh(raw, timeOf(raw)))
        w.rows = []
        return rows
      }
      /** Unordered: everything before the first unfinished window's read position, and before any deferred record, is out. */
      const watermark = Effect.suspend(() => {
        const h = windows[0]
        const time = Math.min(h === undefined ? Number.POSITIVE_INFINITY : h.started ? h.lastT : h.lo, merge.earliestDeferred())
        if (!(time > mark) || time === Number.POSITIVE_INFINITY) return Effect.void
        mark = time
        return emit([new Watermark(time)])
      })

      /** Hand rows on (the head window's, or every window's when unordered); drop finished head windows; end after the tail. */
      const flush = Effect.gen(function* () {
        if (!input.ordered) for (const w of windows) if (w.rows.length > 0) yield* emit(take(w))
        while (windows.length > 0) {
          const h = windows[0]!
          if (h.rows.length > 0) yield* emit(take(h))
          if (!h.done) break
          windows.shift()
        }
        if (windows.length > 0) return input.ordered ? undefined : yield* watermark
        if (ended) return
        ended = true
        yield* emit(merge.tail(input.tail))
        if (!input.ordered) yield* emit([new Watermark(Number.POSITIVE_INFINITY)])
        yield* Queue.offer(out, { _tag: "End" })
        yield* Effect.logDebug("Bill.com list read in windows").pipe(Effect.annotateLogs({ path: input.path, ...counts }))
      })

      const coordinate = Effect.gen(function* () {
        const first = spanOf(0, WINDOW_PAGES)
        if (head.hi - head.lo > first + first / 2 && cutAt(0, head.lo + first)) counts.windows++
        // Page 1 (ascending, emitted before this stream) holds everything before lo.
        if (!input.ordered) yield* watermark
        yield* schedule
        while (!ended) {
          const event = yield* Queue.take(events)
          if (event._tag === "Failed") return yield* event.error
          if (event._tag === "Taken") outstanding -= event.n
          else yield* onPage(event.window, event.page)
          yield* flush
          yield* schedule
        }
      })
      yield* Effect.forkScoped(coordinate.pipe(Effect.catchAll((error) => Queue.offer(out, { _tag: "Failed", error }))))

      const pull: Effect.Effect<Chunk.Chunk<unknown>, Option.Option<BillcomError>> = Effect.flatMap(Queue.take(out), (o) => {
        switch (o._tag) {
          case "Rows":
            return Effect.as(Queue.offer(events, { _tag: "Taken", n: o.rows.length }), o.rows)
          case "End":
            return Effect.fail(Option.none())
          case "Failed":
            return Effect.fail(Option.some(o.error))
        }
      })
      return Stream.repeatEffectChunkOption(pull)
    })
  )

/**
 * Keeps a partitioned read exactly-once and ascending: records already emitted (page 1) are not
 * emitted again unless newer; a record rendered outside its window (changed while the list was
 * being read) is deferred to the end, where only its newest copy is emitted if no window had it.
 */
export class OrderedMerge {
  private readonly emitted = new Map<string, number>()
  private readonly deferred = new Map<string, { raw: unknown; t: number }>()

  constructor(page1: ReadonlyArray<unknown>) {
    for (const raw of page1) {
      const id = rawIdOf(raw)
      if (id !== undefined) this.emitted.set(id, timeOf(raw))
    }
  }

  fresh(raw: unknown, t: number): boolean {
    const id = rawIdOf(raw)
    if (id === undefined) return true
    const before = this.emitted.get(id)
    if (before !== undefined && before >= t) return false
    const d = this.deferred.get(id)
    if (d !== undefined && d.t <= t) this.deferred.delete(id)
    return true
  }

  defer(raw: unknown, t: number): void {
    const id = rawIdOf(raw)
    if (id === undefined) return
    const d = this.deferred.get(id)
    if (d === undefined || d.t < t) this.deferred.set(id, { raw, t })
  }

  /** The earliest updatedTime among deferred records (they are emitted last), or Infinity. */
  earliestDeferred(): number {
    let min = Number.POSITIVE_INFINITY
    for (const d of this.deferred.values()) if (d.t < min) min = d.t
    return min
  }

  tail(rows: ReadonlyArray<unknown>): Array<unknown> {
    const out = rows.filter((raw) => this.fresh(raw, timeOf(raw)))
    const rest = [...this.deferred.values()].map((d) => d.raw)
    this.deferred.clear()
    return [...out, ...ascending(rest)]
  }
}
