import type { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Context, Effect, Layer, type Option, Schema, Stream } from "effect"
import { BillcomError } from "./errors.ts"
import { makeLegacy, type BillApproval } from "./legacy.ts"
import { makeLists, Watermark, type ListOptions } from "./lists.ts"
import type { V2ChartOfAccount } from "./models/legacy.ts"
import { CardsEnvelope, Document, SessionInfo } from "./models/master.ts"
import type { Bill } from "./models/payables.ts"
import { decodePulled, formatIssues, type Pulled } from "./pulled.ts"
import { RESOURCES, type ResourceName, type ResourceType } from "./resources.ts"
import type { BillcomSettings } from "./settings.ts"
import type { BillcomStats } from "./stats.ts"
import { BillcomTransport, type RequestCap } from "./transport.ts"

/**
 * The read-only Bill.com client the sync uses. It has no mutating call by construction: the COA
 * writes live in BillcomWriter, which only `billsync apply coa` provides.
 */
export interface BillcomClientApi {
  /** Log in (if not already) and read the session (`GET /v3/login/session`): the `connect` check. */
  readonly session: () => Effect.Effect<SessionInfo, BillcomError>
  /**
   * Every record of a list, across pages, decoded per record with its schema (resources.ts): a record
   * that does not decode is an Invalid element with its raw JSON and the failing path, never a failed
   * stream. See lists.ts for order and filters.
   */
  readonly list: <N extends ResourceName>(
    name: N,
    options?: ListOptions
  ) => Stream.Stream<Pulled<ResourceType<N>>, BillcomError>
  /**
   * The same decoded records as `list`; with `ordered: false` pages flow as they arrive, interleaved
   * with `Watermark` markers (lists.ts) — the sync's read, which moves its cursor on them.
   */
  readonly read: <N extends ResourceName>(
    name: N,
    options?: ListOptions
  ) => Stream.Stream<Pulled<ResourceType<N>> | Watermark, BillcomError>
  /** One bill with its approvers (the list rows carry none). */
  readonly bill: (billId: string) => Effect.Effect<Pulled<Bill>, BillcomError>
  readonly billDocuments: (billId: string) => Effect.Effect<ReadonlyArray<Pulled<Document>>, BillcomError>
  /** Legacy v2 `Crud/Read/Bill.json`: the approval status in the v3 spelling. */
  readonly billApproval: (billId: string) => Effect.Effect<BillApproval, BillcomError>
  /** Legacy v2 `Crud/Read/VendorCredit.json`: the credit's exchange rate (v3 credits carry none); none when absent or zero. */
  readonly vendorCreditRate: (id: string) => Effect.Effect<Option.Option<number>, BillcomError>
  /** Legacy v2 `Crud/Read/ChartOfAccount.json`; none when Bill.com does not know the id. */
  readonly chartOfAccount: (id: string) => Effect.Effect<Option.Option<V2ChartOfAccount>, BillcomError>
  readonly stats: () => Effect.Effect<BillcomStats>
  /** The run's request cap (see Transport.capRequests). */
  readonly capRequests: (cap: RequestCap | undefined) => Effect.Effect<void>
  /** Requests this process has sent in the current clock hour, and the hourly budget (progress display). */
  readonly hourlyBudget: () => Effect.Effect<{ readonly used: number; readonly perHour: number }>
}

const decodeSession = (json: unknown) =>
  Schema.decodeUnknown(SessionInfo)(json).pipe(
    Effect.mapError(
      (error) =>
        new BillcomError({
          reason: "Decode",
          message: `Bill.com GET /v3/login/session answered an unexpected shape: ${formatIssues(error)}`
        })
    )
  )

const decodeDocument = decodePulled(Document)

/** The `cardUserStatus` values of `GET /v3/funding-accounts/cards` ([OAS] `CardUserStatus`). */
export const CARD_USER_STATUSES = ["VERIFIED", "NOMINATED"] as const

/** Records in order, each id once (a record without an id is kept: decoding reports it). */
const unionById = (records: ReadonlyArray<unknown>): ReadonlyArray<unknown> => {
  const seen = new Set<string>()
  return records.filter((r) => {
    const id = typeof r === "object" && r !== null ? (r as { id?: unknown }).id : undefined
    if (typeof id !== "string") return true
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

export const makeClient = Effect.gen(function* () {
  const transport = yield* BillcomTransport
  const lists = makeLists(transport)
  const legacy = makeLegacy(transport)

  /**
   * `GET /v3/funding-accounts/cards` requires `cardUserStatus` (VERIFIED | NOMINATED) and lists the
   * cards whose user status for the API user is that value. A payment can be funded by any card of
   * the organisation, not only by the ones this user may pay with, so the sync reads both lists and
   * keeps each card once: one extra request buys every card Bill.com will show this user. Filters
   * are not documented there, so every card is returned (a superset of an incremental read).
   */
  const cards = (path: string): Stream.Stream<unknown, BillcomError> =>
    Stream.unwrap(
      Effect.forEach(CARD_USER_STATUSES, (cardUserStatus) =>
        transport.execute({ api: "v3", method: "GET", path, endpoint: `GET ${path}`, query: { cardUserStatus } }).pipe(
          Effect.flatMap((json) =>
            Schema.decodeUnknown(CardsEnvelope)(json).pipe(
              Effect.mapError(
                () =>
                  new BillcomError({
                    reason: "Decode",
                    message: `Bill.com GET ${path} answered without a cards array`,
                    endpoint: `GET ${path}`
                  })
              )
            )
          )
        )
      ).pipe(Effect.map((envelopes) => Stream.fromIterable(unionById(envelopes.flatMap((e) => e.cards)))))
    )

  /** A list answered as a bare JSON array, no paging and no filters (AP cards): every record, every read. */
  const bareArray = (path: string): Stream.Stream<unknown, BillcomError> =>
    Stream.unwrap(
      transport.execute({ api: "v3", method: "GET", path, endpoint: `GET ${path}` }).pipe(
        Effect.flatMap((json) =>
          Array.isArray(json)
            ? Effect.succeed(Stream.fromIterable(json as ReadonlyArray<unknown>))
            : new BillcomError({
                reason: "Decode",
                message: `Bill.com GET ${path} answered without an array`,
                endpoint: `GET ${path}`
              })
        )
      )
    )

  /** Raw pages of a list (internal: every record leaves the client decoded). */
  const rawList = (name: ResourceName, options: ListOptions): Stream.Stream<unknown, BillcomError> => {
    const resource = RESOURCES[name]
    return resource.shape === "paged"
      ? lists.list(resource.path, options)
      : resource.shape === "cards"
        ? cards(resource.path)
        : bareArray(resource.path)
  }

  const read = <N extends ResourceName>(
    name: N,
    options: ListOptions = {}
  ): Stream.Stream<Pulled<ResourceType<N>> | Watermark, BillcomError> => {
    const decode = RESOURCES[name].decode as (raw: unknown) => Pulled<ResourceType<N>>
    return rawList(name, options).pipe(
      // Per record, on the page's chunk: one bad record is one Invalid element, never a failed page.
      Stream.map((raw) => (raw instanceof Watermark ? raw : decode(raw))),
      Stream.withSpan("BillcomClient.list", { attributes: { list: name } })
    )
  }

  const list = <N extends ResourceName>(
    name: N,
    options: ListOptions = {}
  ): Stream.Stream<Pulled<ResourceType<N>>, BillcomError> =>
    read(name, options).pipe(Stream.filter((p): p is Pulled<ResourceType<N>> => !(p instanceof Watermark)))

  const session = Effect.fn("BillcomClient.session")(function* () {
    const json = yield* transport.execute({
      api: "v3",
      method: "GET",
      path: "/v3/login/session",
      endpoint: "GET /v3/login/session"
    })
    return yield* decodeSession(json)
  })

  const bill = Effect.fn("BillcomClient.bill")(function* (billId: string) {
    const json = yield* transport.execute({
      api: "v3",
      method: "GET",
      path: `/v3/bills/${encodeURIComponent(billId)}`,
      endpoint: "GET /v3/bills/{id}"
    })
    return RESOURCES.bills.decode(json)
  })

  const billDocuments = Effect.fn("BillcomClient.billDocuments")(function* (billId: string) {
    const path = `/v3/documents/bills/${encodeURIComponent(billId)}`
    const rows: Array<unknown> = []
    const seen = new Set<string>()
    let page: string | undefined
    // Document lists take only max and page (§3.1).
    do {
      const json = yield* transport.execute({
        api: "v3",
        method: "GET",
        path,
        endpoint: "GET /v3/documents/bills/{billId}",
        query: { max: String(transport.settings.pageSize), ...(page !== undefined ? { page } : {}) }
      })
      const body = json as { results?: unknown; nextPage?: unknown } | undefined
      if (typeof body !== "object" || body === null || !Array.isArray(body.results))
        return yield* new BillcomError({
          reason: "Decode",
          message: `Bill.com GET ${path} answered without a results array`
        })
      rows.push(...body.results)
      page = typeof body.nextPage === "string" && body.nextPage !== "" ? body.nextPage : undefined
      if (page !== undefined && seen.has(page))
        return yield* new BillcomError({ reason: "Pagination", message: `Bill.com GET ${path} repeated a page cursor` })
      if (page !== undefined) seen.add(page)
    } while (page !== undefined)
    return rows.map(decodeDocument)
  })

  return {
    session,
    list,
    read,
    bill,
    billDocuments,
    billApproval: Effect.fn("BillcomClient.billApproval")(legacy.billApproval),
    chartOfAccount: Effect.fn("BillcomClient.chartOfAccount")(legacy.chartOfAccount),
    vendorCreditRate: Effect.fn("BillcomClient.vendorCreditRate")(legacy.vendorCreditRate),
    stats: () => transport.stats,
    capRequests: transport.capRequests,
    hourlyBudget: () =>
      Effect.map(transport.limiter.usedThisHour, (used) => ({ used, perHour: transport.settings.requestsPerHour }))
  } satisfies BillcomClientApi
})

export class BillcomClient extends Context.Tag("billsync/BillcomClient")<BillcomClient, BillcomClientApi>() {
  /** Over an existing transport (share it with BillcomWriter for one session / limiter per run). */
  static readonly layer: Layer.Layer<BillcomClient, never, BillcomTransport> = Layer.effect(BillcomClient, makeClient)

  /** Client + its own transport over a given HttpClient. */
  static layerWith(settings: BillcomSettings): Layer.Layer<BillcomClient, never, HttpClient.HttpClient> {
    return BillcomClient.layer.pipe(Layer.provide(BillcomTransport.layer(settings)))
  }

  /** Client + transport + Node's undici HTTP client: what the CLI uses. */
  static live(settings: BillcomSettings): Layer.Layer<BillcomClient> {
    return BillcomClient.layerWith(settings).pipe(Layer.provide(NodeHttpClient.layerUndici))
  }
}
