import { Chunk, Effect, FiberSet, Option, Queue, Stream } from "effect"
import type { BillcomError } from "./errors.ts"
import {
  advance,
  deliverable,
  Delivered,
  progressed,
  idleError,
  MAX_IDLE_PAGES,
  positionTime,
  requestOf,
  start,
  timeOf,
  unsettledError,
  type Page,
  type Position,
  type Reading,
  type Request
} from "./keyset.ts"

export { ascending, timeOf } from "./keyset.ts"

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
 *
 * Every window has a server-side upper bound, and is read by keyset pages (keyset.ts): a record
 * changed during the read leaves its window (its updatedTime moves past the read's start) without
 * shifting anything else, and is read by the catch-up — a last window from the read's start on,
 * read once every other window is done. Nothing is inferred from where a changed record shows up.
 */
/**
 * In an unordered read (`ordered: false`): every record whose updatedTime is before `time` (ms
 * since the epoch) has been emitted before this marker, so a consumer may move its cursor up to it
 * once what came before is stored. The last marker of a read is the read's start (the newest
 * updatedTime when it began): what changed during the read is emitted too, but a cursor must not
 * pass the start, so the next incremental read sees every change made while this one ran.
 * Records are plain JSON, so `instanceof` tells them apart.
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

export interface PartitionInput {
  readonly path: string
  readonly concurrency: number
  readonly pageSize: number
  /** One ascending page of a request. */
  readonly fetch: (request: Request) => Effect.Effect<Page, BillcomError>
  /** Filters every window carries. */
  readonly base: ReadonlyArray<string>
  /** The range to read in windows: [lo, hi], both inclusive (page 1's newest and the descending probe's oldest time). */
  readonly lo: number
  readonly hi: number
  /** The read's start: the newest updatedTime when it began. Read last, from here on: what changed during the read. */
  readonly start: number
  /** Records per ms to carve the first windows with (page 1's), until pages show more. */
  readonly density: number
  readonly delivered: Delivered
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
  /** hi inclusive (only the last window of the range). */
  inclusive: boolean
  /** The catch-up after the windows: [start, ∞), read when every window is done. */
  readonly catchUp: boolean
  started: boolean
  position: Position
  /** Consecutive pages that brought nothing new. */
  idle: number
  busy: boolean
  done: boolean
  rows: Array<unknown>
  /** Records fetched, and the updatedTime the window reads at (lo before any). */
  count: number
  lastT: number
  /** Records per ms on the latest page with ≥ half a page over > 1 instant. */
  recent: number | undefined
}

type Event =
  | { readonly _tag: "Page"; readonly window: Window; readonly page: Page }
  | { readonly _tag: "Failed"; readonly error: BillcomError }
  | { readonly _tag: "Taken"; readonly n: number }

type Out =
  | { readonly _tag: "Rows"; readonly rows: Chunk.Chunk<unknown> }
  | { readonly _tag: "End" }
  | { readonly _tag: "Failed"; readonly error: BillcomError }

const pending = (lo: number, hi: number, inclusive: boolean, catchUp = false): Window => ({
  lo,
  hi,
  inclusive,
  catchUp,
  started: false,
  position: start(lo),
  idle: 0,
  busy: false,
  done: false,
  rows: [],
  count: 0,
  lastT: lo,
  recent: undefined
})

export const readPartitioned = (input: PartitionInput): Stream.Stream<unknown, BillcomError> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const { pageSize, delivered } = input
      const events = yield* Queue.unbounded<Event>()
      const out = yield* Queue.unbounded<Out>()
      const fibers = yield* FiberSet.make()
      const cap = MAX_HELD_PAGES * pageSize
      const windows: Array<Window> = [
        pending(input.lo, input.hi, true),
        pending(input.start, Number.POSITIVE_INFINITY, false, true)
      ]
      let inFlight = 0
      let outstanding = 0
      let ended = false
      let tailed = false
      /** Density of the last head window finished and dropped: a run of empty windows widens the next ones. */
      let dropped: number | undefined
      let mark = Number.NEGATIVE_INFINITY
      const counts = { windows: 1, cuts: 0, splits: 0 }
      const rangeOf = (w: Window) => ({ base: input.base, hi: w.hi, hiInclusive: w.inclusive, pageSize })

      const held = () => windows.reduce((n, w, i) => (i === 0 ? n : n + w.rows.length), outstanding)
      /**
       * Records per ms a window has shown: on its latest full page (the best guess for what follows),
       * else over what it read; a window that ended nearly empty says "sparse" over its whole range.
       * Records all at one instant (a bulk edit) say nothing about the spread.
       */
      const densityOf = (w: Window): number | undefined => {
        if (w.catchUp) return undefined
        if (w.recent !== undefined) return w.recent
        if (w.done) return Math.max(1, w.count) / Math.max(1, w.hi - w.lo)
        return w.count >= pageSize / 2 && w.lastT > w.lo ? w.count / (w.lastT - w.lo) : undefined
      }
      /** Nearest observed density: the window itself, then earlier windows (also the last one finished and dropped), then later ones. */
      const densityNear = (i: number): number => {
        for (let j = i; j >= 0; j--) {
          const d = densityOf(windows[j]!)
          if (d !== undefined) return d
        }
        if (dropped !== undefined) return dropped
        for (let j = i + 1; j < windows.length; j++) {
          const d = densityOf(windows[j]!)
          if (d !== undefined) return d
        }
        return input.density
      }
      const pagesLeft = (i: number) => {
        const w = windows[i]!
        return w.catchUp ? 0 : (densityNear(i) * Math.max(0, w.hi - w.lastT)) / pageSize
      }
      /** Window i keeps [lo, at); a new unstarted window [at, hi] follows it. */
      const cutAt = (i: number, at: number): boolean => {
        const w = windows[i]!
        if (w.catchUp || !(at > w.lastT && (w.inclusive ? at <= w.hi : at < w.hi))) return false
        windows.splice(i + 1, 0, pending(at, w.hi, w.inclusive))
        w.hi = at
        w.inclusive = false
        return true
      }
      const spanOf = (i: number, pages: number) => Math.max(1, Math.ceil((pages * pageSize) / densityNear(i)))

      const begin = (i: number) =>
        Effect.gen(function* () {
          const w = windows[i]!
          if (!w.started) {
            const span = spanOf(i, WINDOW_PAGES)
            // Leave no sliver behind: a rest under half a window goes with this one.
            if (!w.catchUp && w.hi - w.lo > span + span / 2 && cutAt(i, w.lo + span)) counts.windows++
            w.started = true
          }
          const position = w.position
          if (position._tag === "Done" || position._tag === "Unsettled") return
          w.busy = true
          inFlight++
          yield* FiberSet.run(
            fibers,
            input.fetch(requestOf(rangeOf(w), position)).pipe(
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
        // The catch-up starts when every window before it is done (and the probe's tail is out).
        if (h.catchUp && !tailed) return undefined
        if (!h.busy && !h.done) return outstanding < cap ? 0 : undefined
        if (held() >= cap) return undefined
        for (let i = 1; i < windows.length; i++)
          if (windows[i]!.started && !windows[i]!.busy && !windows[i]!.done) return i
        for (let i = 1; i < windows.length; i++) if (!windows[i]!.started && !windows[i]!.catchUp) return i
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
          yield* begin(i)
        }
      })

      const onPage = (w: Window, page: Page): Effect.Effect<void, BillcomError> => {
        inFlight--
        w.busy = false
        const position = w.position as Reading
        const range = rangeOf(w)
        const next = advance(range, position, page)
        w.idle = progressed(position, next, page, delivered) ? 0 : w.idle + 1
        if (w.idle >= MAX_IDLE_PAGES) return Effect.fail(idleError(input.path))
        const before = w.count
        let firstT = Number.NaN
        for (const raw of deliverable(range, position, page)) {
          if (!delivered.take(raw)) continue
          w.rows.push(raw)
          w.count++
          const t = timeOf(raw)
          if (Number.isNaN(firstT)) firstT = t
        }
        w.position = next
        if (w.position._tag === "Unsettled") return Effect.fail(unsettledError(input.path, w.position.t))
        if (w.position._tag === "Done") w.done = true
        else w.lastT = Math.max(w.lastT, positionTime(w.position))
        if (w.count - before >= pageSize / 2 && w.lastT > firstT) w.recent = (w.count - before) / (w.lastT - firstT)
        const i = windows.indexOf(w)
        // Full: close the window where it reads and leave the rest to another window — bounded
        // windows bound what lanes ahead of the head hold.
        if (
          !w.done &&
          !w.catchUp &&
          w.position._tag === "Range" &&
          w.count >= WINDOW_PAGES * pageSize &&
          w.position.t > w.lo
        ) {
          windows.splice(i + 1, 0, pending(w.position.t, w.hi, w.inclusive))
          w.hi = w.position.t
          w.inclusive = false
          w.done = true
          counts.windows++
        }
        if (
          !w.done &&
          pagesLeft(i) > OVERSIZE_PAGES &&
          cutAt(i, w.lastT + spanOf(i, Math.max(1, WINDOW_PAGES - w.count / pageSize)))
        ) {
          counts.cuts++
          counts.windows++
        }
        return Effect.void
      }

      const emit = (rows: ReadonlyArray<unknown>) =>
        Effect.gen(function* () {
          outstanding += rows.length
          // Page-sized chunks: the consumer (decode, writes) shares this thread with the lanes.
          for (let k = 0; k < rows.length; k += pageSize)
            yield* Queue.offer(out, { _tag: "Rows", rows: Chunk.unsafeFromArray(rows.slice(k, k + pageSize)) })
        })
      const take = (w: Window) => {
        const rows = w.rows
        w.rows = []
        return rows
      }
      /**
       * Unordered: everything before the first unfinished window's read position is out. Never past
       * the read's start: what changed during the read is for the next incremental read to confirm.
       */
      const watermark = Effect.suspend(() => {
        const h = windows[0]
        const at = h === undefined ? input.start : h.started ? positionTime(h.position) : h.lo
        const time = Math.min(at, input.start)
        if (!(time > mark)) return Effect.void
        mark = time
        return emit([new Watermark(time)])
      })

      /** Hand rows on (the head window's, or every window's when unordered); drop finished head windows; the probe's tail before the catch-up; end after it. */
      const flush = Effect.gen(function* () {
        if (!input.ordered) for (const w of windows) if (w.rows.length > 0) yield* emit(take(w))
        while (windows.length > 0) {
          const h = windows[0]!
          if (h.catchUp && !tailed) {
            tailed = true
            yield* emit(delivered.filter(input.tail))
          }
          if (h.rows.length > 0) yield* emit(take(h))
          if (!h.done) break
          dropped = densityOf(h) ?? dropped
          windows.shift()
        }
        if (!input.ordered) yield* watermark
        if (windows.length > 0 || ended) return
        ended = true
        yield* Queue.offer(out, { _tag: "End" })
        yield* Effect.logDebug("Bill.com list read in windows").pipe(
          Effect.annotateLogs({ path: input.path, ...counts })
        )
      })

      const coordinate = Effect.gen(function* () {
        const first = spanOf(0, WINDOW_PAGES)
        if (input.hi - input.lo > first + first / 2 && cutAt(0, input.lo + first)) counts.windows++
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

      const pull: Effect.Effect<Chunk.Chunk<unknown>, Option.Option<BillcomError>> = Effect.flatMap(
        Queue.take(out),
        (o) => {
          switch (o._tag) {
            case "Rows":
              return Effect.as(Queue.offer(events, { _tag: "Taken", n: o.rows.length }), o.rows)
            case "End":
              return Effect.fail(Option.none())
            case "Failed":
              return Effect.fail(Option.some(o.error))
          }
        }
      )
      return Stream.repeatEffectChunkOption(pull)
    })
  )
