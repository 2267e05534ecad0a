// TEMPORARY: a minimal Source over fetch, used only until src/billcom's client lands.
import { Chunk, Effect, Layer, Option, Stream } from "effect"
import { Source, SourceError, type PulledRecord } from "../../../src/sync/source.ts"
import type { ListName } from "../../../src/sync/stages.ts"

const paths: Record<ListName, string> = {
  vendors: "/v3/vendors",
  "bank-accounts": "/v3/funding-accounts/banks",
  "card-accounts": "/v3/funding-accounts/cards",
  "chart-of-accounts": "/v3/classifications/chart-of-accounts",
  bills: "/v3/bills",
  "vendor-credits": "/v3/vendor-credits",
  payments: "/v3/payments",
  items: "/v3/classifications/items",
  customers: "/v3/customers",
  departments: "/v3/classifications/departments",
  jobs: "/v3/classifications/jobs",
  locations: "/v3/classifications/locations",
  "accounting-classes": "/v3/classifications/accounting-classes",
  employees: "/v3/classifications/employees"
}
const v2Approval: Record<string, string> = { "0": "UNASSIGNED", "1": "ASSIGNED", "3": "APPROVED", "4": "APPROVING", "5": "DENIED" }
const v2Types = ["UNSPECIFIED", "ACCOUNTS_PAYABLE", "ACCOUNTS_RECEIVABLE", "BANK", "COST_OF_GOODS_SOLD", "CREDIT_CARD", "EQUITY", "EXPENSE", "FIXED_ASSET", "INCOME", "LONG_TERM_LIABILITY", "OTHER_ASSET", "OTHER_CURRENT_ASSET", "OTHER_CURRENT_LIABILITY", "OTHER_EXPENSE", "OTHER_INCOME", "NON_POSTING"]

export const httpSourceLayer = (o: { v3: string; v2: string; credentials: { username: string; password: string; devKey: string; organizationId: string } }) =>
  Layer.effect(
    Source,
    Effect.sync(() => {
      let session: string | undefined
      let calls = 0
      const call = (url: string, init: RequestInit) =>
        Effect.tryPromise({
          try: async () => {
            calls++
            const r = await fetch(url, init)
            const body = await r.json()
            if (!r.ok) throw new Error(`${r.status} ${JSON.stringify(body)}`)
            return body as any
          },
          catch: (e) => new SourceError({ message: String(e) })
        })
      const login = call(`${o.v3}/v3/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(o.credentials) }).pipe(
        Effect.tap((b) => Effect.sync(() => (session = b.sessionId)))
      )
      const authed = (path: string) =>
        Effect.flatMap(session ? Effect.void : login, () => call(`${o.v3}${path}`, { headers: { sessionId: session!, devKey: o.credentials.devKey } }))
      const v2 = (op: string, data: unknown) =>
        Effect.flatMap(session ? Effect.void : login, () =>
          call(`${o.v2}${op}`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ devKey: o.credentials.devKey, sessionId: session!, data: JSON.stringify(data) }).toString()
          })
        )
      return {
        session: Effect.flatMap(login, () => authed("/v3/login/session")).pipe(Effect.map((b) => ({ organizationId: b.organizationId, userId: b.userId }))),
        list: (list: ListName, since: string | undefined) => {
          if (list === "card-accounts") return Stream.fromIterableEffect(Effect.map(authed(paths[list]), (b) => (b.cards as Array<unknown>).map((raw): PulledRecord => ({ _tag: "Valid", raw }))))
          const q = (page: string | undefined) =>
            `${paths[list]}?max=100&sort=updatedTime:asc${since ? `&filters=updatedTime:gte:"${since}"` : ""}${page ? `&page=${encodeURIComponent(page)}` : ""}`
          return Stream.paginateChunkEffect(undefined as string | undefined, (page) =>
            Effect.map(authed(q(page)), (b) => [Chunk.fromIterable((b.results as Array<unknown>).map((raw): PulledRecord => ({ _tag: "Valid", raw }))), b.nextPage ? Option.some(b.nextPage as string) : Option.none()] as const)
          )
        },
        billApproval: (id: string) => Effect.map(v2("/Crud/Read/Bill.json", { id }), (b) => v2Approval[b.response_data.approvalStatus] ?? "UNDEFINED"),
        chartOfAccount: (id: string) =>
          Effect.map(v2("/Crud/Read/ChartOfAccount.json", { id }), (b) =>
            b.response_status === 0 ? { id, number: b.response_data.accountNumber, type: v2Types[Number(b.response_data.accountType)], archived: b.response_data.isActive === "2" } : undefined
          ),
        billDocuments: (id: string) => Effect.map(authed(`/v3/documents/bills/${id}?max=100`), (b) => b.results as Array<unknown>),
        apiCalls: Effect.sync(() => calls)
      }
    })
  )
