import type { EmulatorCore } from "./core.ts"
import { ApiError, Errors } from "./errors.ts"
import { ACCOUNT_TYPES, type AccountType, type Bill, type ChartOfAccount, type Stamped } from "./model.ts"
import type { Collection } from "./organization.ts"
import { parseMax } from "./query.ts"
import { FIELDS } from "./fields.ts"
import {
  documentsOf,
  overlay,
  renderCard,
  renderChartOfAccount,
  renderDocument,
  renderRecord,
  wrongType,
  type RenderContext
} from "./render.ts"
import type { Reply, Req, Route } from "./router.ts"

/** v3 routes (§1.2–1.4, §4): login/session/logout, list + get per collection, documents, COA writes. */
export const v3Routes = (core: EmulatorCore): ReadonlyArray<Route> => {
  const ctx = (): RenderContext => ({ state: core.state, origin: core.origin })
  const route = (method: string, template: string, handle: Route["handle"], auth = true): Route => ({
    method,
    template,
    surface: "v3",
    auth,
    handle
  })

  const faultField = (collection: Collection): string =>
    collection === "bills" || collection === "payments" || collection === "vendor-credits"
      ? "amount"
      : collection === "ap-cards"
        ? "balance"
        : "archived"

  const render = (collection: Collection, record: Stamped, detail: boolean, req: Req, index: number) => {
    // A documented anomaly renders a field with the wrong type on purpose (decode-error testing).
    if (record.malformed !== undefined || record.poison !== undefined) req.injected()
    const out = renderRecord(collection, record, ctx(), detail)
    if (record.poison !== undefined) overlay(out, record.poison)
    if (req.malformed(index)) {
      const field = faultField(collection)
      out[field] = wrongType(out[field])
    }
    return out
  }

  const list = (collection: Collection, path: string): Route =>
    route("GET", path, (req) => {
      core.beforeList?.(collection, req.query)
      if (core.faults.config.runawayPaging === collection) {
        core.counters.fault("runawayPaging")
        req.injected()
        return ok({ nextPage: Buffer.from(`runaway:${core.faults.next()}`).toString("base64url"), results: [] })
      }
      const page = core.snapshots.list(collection, core.state.collection(collection), FIELDS[collection], queryOf(req))
      return ok({
        ...(page.nextPage !== undefined ? { nextPage: page.nextPage } : {}),
        ...(page.prevPage !== undefined ? { prevPage: page.prevPage } : {}),
        // A record marked `duplicate` (poison mutation) appears twice in its page, the copy right after it.
        results: page.results.flatMap((r, i) => {
          const out = render(collection, r, false, req, i)
          if (r.duplicate === undefined) return [out]
          req.injected()
          return [out, overlay(structuredClone(out), r.duplicate)]
        })
      })
    })

  const get = (collection: Collection, path: string, label: string): Route =>
    route("GET", path, (req) => {
      const id = Object.values(req.params)[0]!
      const record = core.state.get(collection, id)
      if (record === undefined) throw Errors.notFound(label, id)
      return ok(render(collection, record, true, req, 0))
    })

  const pair = (collection: Collection, path: string, param: string, label: string) => [
    list(collection, path),
    get(collection, `${path}/{${param}}`, label)
  ]

  const coaRoutes = chartOfAccountWrites(core)

  return [
    route("POST", "/v3/login", (req) => login(core, req.body), false),
    route("GET", "/v3/login/session", (req) =>
      ok({
        organizationId: req.session!.organizationId,
        userId: req.session!.userId,
        mfaStatus: "UNDEFINED",
        mfaBypass: false
      })
    ),
    route("POST", "/v3/logout", (req) => {
      if (core.sessions.invalidate(req.session!.id)) core.counters.logout()
      return { status: 200 }
    }),
    ...pair("vendors", "/v3/vendors", "vendorId", "Vendor"),
    ...pair("bills", "/v3/bills", "billId", "Bill"),
    ...pair("vendor-credits", "/v3/vendor-credits", "vendorCreditId", "Vendor credit"),
    ...pair("payments", "/v3/payments", "paymentId", "Payment"),
    ...pair("customers", "/v3/customers", "customerId", "Customer"),
    ...pair("users", "/v3/users", "userId", "User"),
    ...pair("banks", "/v3/funding-accounts/banks", "bankAccountId", "Bank account"),
    // Cards are not a paged envelope: {rates, cards}, for one cardUserStatus (§4.5).
    route("GET", "/v3/funding-accounts/cards", (req) => {
      const status = req.query.get("cardUserStatus")
      if (status !== "VERIFIED" && status !== "NOMINATED")
        throw Errors.validation([["cardUserStatus", "must be one of VERIFIED, NOMINATED"]])
      const cards = core.state.org.cards.filter((c) => c.userStatus === status)
      return ok({
        rates: {
          ...(status === "VERIFIED" ? { defaultCardAccountId: cards.find((c) => c.payables && !c.archived)?.id } : {}),
          funding: { creditCardRate: 2.9, debitCardRate: 2.9 }
        },
        cards: cards.map((c, i) => {
          const out: Record<string, unknown> = renderCard(c)
          if (req.malformed(i)) out["archived"] = wrongType(out["archived"])
          return out
        })
      })
    }),
    get("cards", "/v3/funding-accounts/cards/{cardAccountId}", "Card account"),
    // AP Cards: a bare array, no paging or filters (§4.5).
    route("GET", "/v3/funding-accounts/ap-cards", (req) =>
      ok(core.state.org.apCards.map((c, i) => render("ap-cards", c, false, req, i)))
    ),
    ...pair("chart-of-accounts", "/v3/classifications/chart-of-accounts", "chartOfAccountId", "Chart of account"),
    ...coaRoutes,
    ...pair("items", "/v3/classifications/items", "itemId", "Item"),
    ...pair("departments", "/v3/classifications/departments", "departmentId", "Department"),
    ...pair("jobs", "/v3/classifications/jobs", "jobId", "Job"),
    ...pair("locations", "/v3/classifications/locations", "locationId", "Location"),
    ...pair("accounting-classes", "/v3/classifications/accounting-classes", "accountingClassId", "Accounting class"),
    ...pair("employees", "/v3/classifications/employees", "employeeId", "Employee"),
    route("GET", "/v3/documents/bills/{billId}", (req) => {
      const bill = core.state.get<Bill>("bills", req.params["billId"]!)
      if (bill === undefined) throw Errors.notFound("Bill", req.params["billId"]!)
      const max = parseMax(req.query.get("max") ?? undefined)
      const docs = documentsOf(bill)
      const offset = pageOffset(req.query.get("page"))
      const end = offset + max
      return ok({
        ...(end < docs.length ? { nextPage: Buffer.from(String(end)).toString("base64url") } : {}),
        ...(offset > 0 ? { prevPage: Buffer.from(String(Math.max(0, offset - max))).toString("base64url") } : {}),
        results: docs.slice(offset, end).map((d) => renderDocument(d, ctx()))
      })
    }),
    route("GET", "/v3/documents/{documentId}", (req) => {
      const id = req.params["documentId"]!
      const bill = core.state.org.bills.find((b) => id.startsWith(`00h02${b.id.slice(6)}`))
      const doc = bill === undefined ? undefined : documentsOf(bill).find((d) => d.id === id)
      if (doc === undefined) throw Errors.notFound("Document", id)
      return ok(renderDocument(doc, ctx()))
    })
  ]
}

const ok = (body: unknown): Reply => ({ status: 200, body })

const queryOf = (req: Req) => ({
  max: req.query.get("max") ?? undefined,
  page: req.query.get("page") ?? undefined,
  filters: req.query.get("filters") ?? undefined,
  sort: req.query.get("sort") ?? undefined
})

const pageOffset = (page: string | null): number => {
  if (page === null || page === "") return 0
  const n = Number(Buffer.from(page, "base64url").toString("utf8"))
  if (!Number.isInteger(n) || n < 0) throw Errors.badRequest("page: invalid page token")
  return n
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** POST /v3/login (§1.2): validate fields, devKey (BDC_1102), login budget, then credentials (BDC_1101). */
export const login = (core: EmulatorCore, body: unknown): Reply => {
  const b = isObject(body) ? body : {}
  const missing = (["username", "password", "organizationId", "devKey"] as const).filter(
    (k) => typeof b[k] !== "string" || (b[k] as string).trim() === ""
  )
  if (missing.length > 0) throw Errors.validation(missing.map((k) => [k, "must not be blank"] as const))
  const creds = core.credentials
  if (b["devKey"] !== creds.devKey) throw Errors.badDevKey()
  if (!core.limits.takeLogin(creds.devKey))
    throw Errors.loginLimit(core.limits.rateLimitStatus, core.limits.loginsPerHour)
  if (
    b["username"] !== creds.username ||
    b["password"] !== creds.password ||
    b["organizationId"] !== creds.organizationId
  )
    throw Errors.badCredentials()
  core.counters.login()
  const session = core.sessions.create(creds.devKey, creds.organizationId, core.state.org.userId)
  return ok({
    sessionId: session.id,
    organizationId: creds.organizationId,
    userId: core.state.org.userId,
    trusted: false
  })
}

/** Validate a COA create/update body; returns the problems, one per field (§5.1). */
const coaProblems = (core: EmulatorCore, body: Record<string, unknown>, creating: boolean, selfId?: string) => {
  const problems: Array<readonly [string, string]> = []
  const name = body["name"]
  if (creating && (typeof name !== "string" || name.trim() === "")) problems.push(["name", "must not be blank"])
  if (!creating && name !== undefined && (typeof name !== "string" || name.trim() === ""))
    problems.push(["name", "must not be blank"])
  if (body["description"] !== undefined && typeof body["description"] !== "string")
    problems.push(["description", "must be a string"])
  const parentId = body["parentId"]
  if (parentId !== undefined && parentId !== null && parentId !== "") {
    if (typeof parentId !== "string" || core.state.get("chart-of-accounts", parentId) === undefined)
      problems.push(["parentId", "parent chart of account not found"])
    else if (parentId === selfId) problems.push(["parentId", "must not be the account itself"])
  }
  const account = body["account"]
  if (account !== undefined) {
    if (!isObject(account)) problems.push(["account", "must be an object"])
    else {
      const type = account["type"]
      if (creating && type === undefined) problems.push(["account.type", "must not be null"])
      if (type !== undefined && !(ACCOUNT_TYPES as ReadonlyArray<unknown>).includes(type))
        problems.push(["account.type", `must be one of ${ACCOUNT_TYPES.join(", ")}`])
      if (account["number"] !== undefined && typeof account["number"] !== "string")
        problems.push(["account.number", "must be a string"])
    }
  }
  return problems
}

const applyCoa = (record: ChartOfAccount, body: Record<string, unknown>): void => {
  if (typeof body["name"] === "string") record.name = body["name"]
  if (typeof body["description"] === "string") record.description = body["description"]
  if (body["parentId"] === null || body["parentId"] === "") delete record.parentId
  else if (typeof body["parentId"] === "string") record.parentId = body["parentId"]
  const account = body["account"]
  if (isObject(account)) {
    if (typeof account["type"] === "string") record.type = account["type"] as AccountType
    if (typeof account["number"] === "string") record.number = account["number"]
  }
}

/** Chart-of-accounts writes (§4.6): create 201, PATCH, archive/restore (idempotent), bulk variants. */
const chartOfAccountWrites = (core: EmulatorCore): ReadonlyArray<Route> => {
  const base = "/v3/classifications/chart-of-accounts"
  const state = core.state
  const route = (method: string, template: string, handle: Route["handle"]): Route => ({
    method,
    template,
    surface: "v3",
    auth: true,
    handle
  })
  const find = (id: string): ChartOfAccount => {
    const record = state.get<ChartOfAccount>("chart-of-accounts", id)
    if (record === undefined) throw Errors.notFound("Chart of account", id)
    return record
  }
  const create = (body: Record<string, unknown>): ChartOfAccount => {
    const now = state.now()
    const record: ChartOfAccount = {
      id: state.ids.make("0ca"),
      archived: false,
      createdTime: now,
      updatedTime: now,
      seq: state.seq(),
      name: "",
      type: "UNSPECIFIED"
    }
    applyCoa(record, body)
    state.org.chartOfAccounts.push(record)
    state.register(record)
    return record
  }
  const update = (record: ChartOfAccount, body: Record<string, unknown>): void => {
    applyCoa(record, body)
    record.updatedTime = state.now()
  }
  const setArchived = (record: ChartOfAccount, archived: boolean): void => {
    if (record.archived === archived) return
    record.archived = archived
    record.updatedTime = state.now()
  }
  const bodyObject = (body: unknown): Record<string, unknown> => {
    if (!isObject(body)) throw Errors.badRequest("Request body is invalid.")
    return body
  }
  const bulkItems = (body: unknown): ReadonlyArray<Record<string, unknown>> => {
    const items = Array.isArray(body)
      ? body
      : isObject(body) && Array.isArray(body["chartOfAccounts"])
        ? body["chartOfAccounts"]
        : undefined
    if (items === undefined || items.length === 0 || items.length > 50 || !items.every(isObject))
      throw Errors.badRequest("Request body must be an array of 1 to 50 chart of accounts.")
    return items as ReadonlyArray<Record<string, unknown>>
  }
  const idsParam = (req: Req): ReadonlyArray<ChartOfAccount> => {
    const ids = (req.query.get("ids") ?? "").split(",").filter((s) => s !== "")
    if (ids.length === 0) throw Errors.validation([["ids", "must not be empty"]])
    return ids.map(find)
  }
  const check = (problems: ReadonlyArray<readonly [string, string]>, prefix = ""): void => {
    if (problems.length > 0) throw Errors.validation(problems.map(([f, p]) => [`${prefix}${f}`, p] as const))
  }
  // Bulk routes first: "/bulk" would otherwise match "/{chartOfAccountId}".
  return [
    route("POST", `${base}/bulk`, (req) => {
      const items = bulkItems(req.body)
      const problems = items.flatMap((item, i) =>
        coaProblems(core, item, true).map(([f, p]) => [`[${i}].${f}`, p] as const)
      )
      check(problems)
      return { status: 201, body: { chartOfAccounts: items.map((item) => renderChartOfAccount(create(item))) } }
    }),
    route("PATCH", `${base}/bulk`, (req) => {
      const items = bulkItems(req.body)
      const records = items.map((item) => find(typeof item["id"] === "string" ? item["id"] : ""))
      check(
        items.flatMap((item, i) =>
          coaProblems(core, item, false, records[i]!.id).map(([f, p]) => [`[${i}].${f}`, p] as const)
        )
      )
      records.forEach((r, i) => {
        update(r, items[i]!)
      })
      return ok({ chartOfAccounts: records.map(renderChartOfAccount) })
    }),
    route("POST", `${base}/bulk/archive`, (req) => {
      const records = idsParam(req)
      for (const r of records) setArchived(r, true)
      return ok({ chartOfAccounts: records.map(renderChartOfAccount) })
    }),
    route("POST", `${base}/bulk/restore`, (req) => {
      const records = idsParam(req)
      for (const r of records) setArchived(r, false)
      return ok({ chartOfAccounts: records.map(renderChartOfAccount) })
    }),
    route("POST", base, (req) => {
      const body = bodyObject(req.body)
      check(coaProblems(core, body, true))
      return { status: 201, body: renderChartOfAccount(create(body)) }
    }),
    route("PATCH", `${base}/{chartOfAccountId}`, (req) => {
      const record = find(req.params["chartOfAccountId"]!)
      const body = bodyObject(req.body)
      check(coaProblems(core, body, false, record.id))
      update(record, body)
      return ok(renderChartOfAccount(record))
    }),
    route("POST", `${base}/{chartOfAccountId}/archive`, (req) => {
      const record = find(req.params["chartOfAccountId"]!)
      setArchived(record, true)
      return ok(renderChartOfAccount(record))
    }),
    route("POST", `${base}/{chartOfAccountId}/restore`, (req) => {
      const record = find(req.params["chartOfAccountId"]!)
      setArchived(record, false)
      return ok(renderChartOfAccount(record))
    })
  ]
}

export { ApiError }
