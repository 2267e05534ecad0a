import type { EmulatorCore } from "./core.ts"
import { Errors } from "./errors.ts"
import type { Bill, ChartOfAccount, VendorCredit } from "./model.ts"
import { ACCOUNT_TYPES } from "./model.ts"
import { billDueCents, billPaymentStatus } from "./organization.ts"
import { documentRateMicros, rateNumber } from "./currency.ts"
import { formatDay, formatTimestampV2, hash32, money } from "./random.ts"
import type { Reply, Req, Route } from "./router.ts"
import { wrongType } from "./render.ts"
import { login as loginV3 } from "./v3.ts"

/**
 * Legacy v2 calls (§1.5, §6): POST, form-encoded (`devKey`, `sessionId`, `data` = JSON string),
 * always HTTP 200 with `response_status` 0/1. Enums are numeric strings (§6.2, §6.4); the same
 * session works here and on v3.
 */
const NONE = "00000000000000000000"

const APPROVAL_V2 = { UNASSIGNED: "0", ASSIGNED: "1", APPROVED: "3", APPROVING: "4", DENIED: "5" } as const
const PAYMENT_V2 = { PAID: "0", UNPAID: "1", PARTIALLY_PAID: "2", SCHEDULED: "4", IN_PROCESS: "6" } as const
/** isActive for the v3 recordStatus values besides ACTIVE/INACTIVE (v2 has no code for UNDEFINED: inactive). */
const RECORD_V2 = { DRAFT: "5", DRAFT_DELETED: "6", UNDEFINED: "2" } as const
const APPROVER_V2 = {
  WAITING: "0",
  VIEWED: "1",
  REROUTED: "2",
  DENIED: "3",
  APPROVED: "4",
  UPCOMING: "5",
  STALE: "6"
} as const

const success = (data: unknown): Reply => ({
  status: 200,
  body: { response_status: 0, response_message: "Success", response_data: data }
})

const idOf = (req: Req, key: string): string => {
  const data = req.body
  const id = typeof data === "object" && data !== null ? (data as Record<string, unknown>)[key] : undefined
  if (typeof id !== "string" || id === "") throw Errors.validation([[key, "must not be blank"]])
  return id
}

export const renderBillV2 = (b: Bill) => ({
  entity: "Bill",
  id: b.id,
  isActive: b.recordStatus !== undefined ? RECORD_V2[b.recordStatus] : b.archived ? "2" : "1",
  vendorId: b.vendorId,
  invoiceNumber: b.invoiceNumber,
  approvalStatus: APPROVAL_V2[b.approvalStatus],
  invoiceDate: formatDay(b.invoiceDay),
  dueDate: formatDay(b.dueDay),
  glPostingDate: formatDay(b.invoiceDay),
  amount: money(b.amountCents),
  scheduledAmount: money(b.scheduledCents),
  paidAmount: money(b.clearedCents + b.creditCents),
  dueAmount: money(billDueCents(b)),
  // No v2 code for UNDEFINED: the field is left out.
  paymentStatus: ((status) => (status === "UNDEFINED" ? undefined : PAYMENT_V2[status]))(billPaymentStatus(b)),
  description: b.description ?? "",
  poNumber: b.poNumber ?? "",
  createdTime: formatTimestampV2(b.createdTime),
  updatedTime: formatTimestampV2(b.updatedTime),
  payFromBankAccountId: NONE,
  payFromChartOfAccountId: b.payFromChartOfAccountId ?? NONE,
  chartOfAccountId: b.classifications.chartOfAccountId ?? NONE,
  departmentId: b.classifications.departmentId ?? NONE,
  locationId: b.classifications.locationId ?? NONE,
  actgClassId: b.classifications.accountingClassId ?? NONE,
  localAmount: money(b.amountCents),
  exchangeRate: rateNumber(documentRateMicros(b, b.invoiceDay)),
  billLineItems: b.lines.map((l) => ({
    entity: "BillLineItem",
    id: l.id,
    billId: b.id,
    amount: money(l.amountCents),
    chartOfAccountId: l.classifications.chartOfAccountId ?? NONE,
    departmentId: l.classifications.departmentId ?? NONE,
    locationId: l.classifications.locationId ?? NONE,
    jobId: l.classifications.jobId ?? NONE,
    customerId: l.classifications.customerId ?? NONE,
    itemId: l.classifications.itemId ?? NONE,
    employeeId: l.classifications.employeeId ?? NONE,
    actgClassId: l.classifications.accountingClassId ?? NONE,
    quantity: l.quantity,
    unitPrice: money(l.priceCents),
    lineType: l.classifications.itemId !== undefined ? "2" : "1",
    description: l.description
  }))
})

/**
 * v2 VendorCredit (§6, [V2-VT]): v3 vendor credits carry no exchange rate, v2 does (`exchangeRate`
 * is required to create a credit for an international vendor), so billsync reads it here for
 * credits in a foreign currency.
 */
export const renderVendorCreditV2 = (c: VendorCredit) => ({
  entity: "VendorCredit",
  id: c.id,
  isActive: c.archived ? "2" : "1",
  vendorId: c.vendorId,
  refNumber: c.referenceNumber,
  creditDate: formatDay(c.creditDay),
  amount: money(c.amountCents),
  exchangeRate: rateNumber(documentRateMicros(c, c.creditDay)),
  description: c.description ?? "",
  createdTime: formatTimestampV2(c.createdTime),
  updatedTime: formatTimestampV2(c.updatedTime)
})

export const renderApproversV2 = (b: Bill) =>
  b.approvers.map((a) => ({
    entity: "BillApprover",
    id: `0ba02${hash32(`${b.id}/${a.order}`).toString(36).toUpperCase().padStart(7, "0").slice(0, 7)}${b.id.slice(12)}`,
    billid: b.id,
    usersId: a.userId,
    sortOrder: a.order,
    status: APPROVER_V2[a.status],
    statusChangedDate: formatTimestampV2(a.changedTime),
    lastReminderDate: formatTimestampV2(a.changedTime),
    isActive: "1",
    usersIdType: "user"
  }))

export const renderChartOfAccountV2 = (a: ChartOfAccount) => ({
  entity: "ChartOfAccount",
  id: a.id,
  isActive: a.archived ? "2" : "1",
  name: a.name,
  accountNumber: a.number ?? "",
  // v2 has no code for a type v3 reports as UNDEFINED: the field is left out.
  accountType: a.type === "UNDEFINED" ? undefined : String(ACCOUNT_TYPES.indexOf(a.type)),
  description: a.description ?? "",
  parentChartOfAccountId: a.parentId ?? NONE,
  ca1099FormType: "0",
  ca1099Type: "0",
  createdTime: formatTimestampV2(a.createdTime),
  updatedTime: formatTimestampV2(a.updatedTime),
  mergedIntoId: NONE
})

export const v2Routes = (core: EmulatorCore): ReadonlyArray<Route> => {
  const route = (template: string, handle: Route["handle"], auth = true): Route => ({
    method: "POST",
    template,
    surface: "v2",
    auth,
    handle
  })
  const bill = (id: string): Bill => {
    const record = core.state.get<Bill>("bills", id)
    if (record === undefined) throw Errors.notFound("Bill", id)
    return record
  }
  return [
    route(
      "/Login.json",
      (req) => {
        const f = req.form
        // v2 field names differ from v3: userName / orgId (§1.5).
        const reply = v2Login(core, {
          username: f.get("userName"),
          password: f.get("password"),
          organizationId: f.get("orgId"),
          devKey: f.get("devKey")
        })
        return success({
          sessionId: reply.sessionId,
          orgId: reply.organizationId,
          apiEndPoint: `${core.origin}/api`,
          usersId: reply.userId
        })
      },
      false
    ),
    route("/GetSessionInfo.json", (req) =>
      success({ organizationId: req.session!.organizationId, userId: req.session!.userId })
    ),
    route("/Logout.json", (req) => {
      if (core.sessions.invalidate(req.session!.id)) core.counters.logout()
      return success({})
    }),
    route("/Crud/Read/Bill.json", (req) => {
      const b = bill(idOf(req, "id"))
      const out: Record<string, unknown> = renderBillV2(b)
      if (b.malformed !== undefined || req.malformed(0)) {
        req.injected()
        out["amount"] = wrongType(out["amount"])
      }
      return success(out)
    }),
    route("/ListApprovers.json", (req) => {
      const data = (req.body ?? {}) as Record<string, unknown>
      const entity = data["entity"]
      if (entity !== "Bill" && entity !== "VendorCredit")
        throw Errors.validation([["entity", "must be Bill or VendorCredit"]])
      const id = idOf(req, "objectId")
      if (entity === "VendorCredit") {
        if (core.state.get("vendor-credits", id) === undefined) throw Errors.notFound("Vendor credit", id)
        return success([])
      }
      return success(renderApproversV2(bill(id)))
    }),
    route("/Crud/Read/VendorCredit.json", (req) => {
      const id = idOf(req, "id")
      const c = core.state.get<VendorCredit>("vendor-credits", id)
      if (c === undefined) throw Errors.notFound("VendorCredit", id)
      return success(renderVendorCreditV2(c))
    }),
    route("/Crud/Read/ChartOfAccount.json", (req) => {
      const id = idOf(req, "id")
      const a = core.state.get<ChartOfAccount>("chart-of-accounts", id)
      if (a === undefined) throw Errors.notFound("ChartOfAccount", id)
      return success(renderChartOfAccountV2(a))
    })
  ]
}

const v2Login = (core: EmulatorCore, fields: Record<string, string | null>) => {
  const body = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null))
  const reply = loginV3(core, body)
  return reply.body as { sessionId: string; organizationId: string; userId: string }
}
