import { beforeAll, describe, expect, it } from "vitest"
import { UNDOCUMENTED_EXTRAS } from "../../src/emulator/render.ts"
import { allPages, login, postJson, request, useEmulator, v2post, v3get, type Login } from "./support.ts"

/**
 * The documented example shapes of billcom-api.md, transcribed with a value of the documented JSON
 * type for each field. Every key the emulator emits must appear here with the same JSON type
 * (Bill.com omits unpopulated keys, so absence is allowed unless listed as required).
 */
const S = "",
  N = 0,
  B = false
/** The undocumented fields the emulator adds on purpose (clients must ignore them: render.ts). */
const EXTRA_KEYS = new Set(
  Object.values(UNDOCUMENTED_EXTRAS).flatMap((e) =>
    Object.entries(e).flatMap(([k, v]) => (typeof v === "object" && v !== null ? Object.keys(v) : [k]))
  )
)
const address = { line1: S, line2: S, city: S, stateOrProvince: S, zipOrPostalCode: S, country: S, countryName: S }
const classifications = {
  chartOfAccountId: S,
  accountingClassId: S,
  departmentId: S,
  employeeId: S,
  jobId: S,
  locationId: S,
  itemId: S,
  customerId: S
}
const stamps = { createdTime: S, updatedTime: S }

const DOC = {
  login: { sessionId: S, organizationId: S, userId: S, trusted: B }, // §1.2
  session: { organizationId: S, userId: S, mfaStatus: S, mfaBypass: B }, // §1.4
  envelope: { nextPage: S, prevPage: S, results: [] as Array<unknown> }, // §3.2
  vendor: {
    // §4.1
    id: S,
    archived: B,
    name: S,
    shortName: S,
    accountNumber: S,
    accountType: S,
    email: S,
    phone: S,
    address,
    paymentInformation: {
      payeeName: S,
      email: S,
      lastPaymentDate: S,
      payByType: S,
      payBySubType: S,
      transferMethod: S,
      virtualCard: { status: S, remitEmail: S, enrollDate: S, declineDate: S, alternatePayByType: S },
      bankAccount: { nameOnAccount: S, accountNumber: S, routingNumber: S, type: S, ownerType: S, paymentCurrency: S },
      paymentPurpose: { text: S, code: { name: S, value: S } }
    },
    additionalInfo: {
      taxId: S,
      taxIdType: S,
      track1099: B,
      leadTimeInDays: N,
      combinePayments: B,
      paymentTermId: S,
      companyName: S
    },
    rppsId: S,
    bankAccountStatus: S,
    recurringPayments: B,
    billCurrency: S,
    balance: { amount: N, lastUpdatedDate: S },
    autoPay: { enabled: B, bankAccountId: S, createdBy: S, maxAmount: N, daysBeforeDueDate: N },
    networkStatus: S,
    ...stamps
  },
  bill: {
    // §4.2
    id: S,
    archived: B,
    recordStatus: S,
    vendorId: S,
    vendorName: S,
    amount: N,
    fundingAmount: N,
    paidAmount: N,
    dueAmount: N,
    scheduledAmount: N,
    creditAmount: N,
    exchangeRate: N,
    description: S,
    dueDate: S,
    invoice: { invoiceNumber: S, invoiceDate: S },
    billLineItems: [{ id: S, amount: N, quantity: N, price: N, description: S, classifications }],
    payFromChartOfAccountId: S,
    classifications: { chartOfAccountId: S, accountingClassId: S, departmentId: S, locationId: S, itemId: S },
    paymentStatus: S,
    approvalStatus: S,
    approvers: [{ userId: S, status: S, approverOrder: N, statusChangedTime: S }],
    purchaseOrderNumber: S,
    createdBy: S,
    ...stamps
  },
  vendorCredit: {
    // §4.3
    id: S,
    vendorId: S,
    referenceNumber: S,
    creditDate: S,
    description: S,
    archived: B,
    applyToChartOfAccountId: S,
    applyToBankAccountId: S,
    amount: N,
    appliedAmount: N,
    status: S,
    vendorCreditLineItems: [{ id: S, description: S, amount: N, classifications }],
    usage: [{ billId: S, paymentId: S, amount: N }],
    ...stamps
  },
  payment: {
    // §4.4
    id: S,
    vendorId: S,
    vendorName: S,
    billId: S,
    billPayments: [{ id: S, billId: S, amount: N, vendorCredits: [{ id: S, amount: N }] }],
    description: S,
    processDate: S,
    fundingAccount: { type: S, id: S },
    amount: N,
    fundingAmount: N,
    exchangeRate: N,
    processingOptions: { requestPayFaster: B, createBill: B, requestCheckDeliveryType: S },
    transactionNumber: S,
    confirmationNumber: S,
    status: S,
    onlinePayment: B,
    disbursementType: S,
    disbursementStatus: S,
    singleStatus: S,
    disbursementInfo: {
      isVoidable: B,
      achDisbursement: { sentDate: S, arrivesByDate: S },
      checkDisbursement: { sentDate: S, arrivesByDate: S, checkNumber: N, trackingInformation: S }
    },
    voidInfo: [{ id: S, requestedBy: S, type: S, status: S, reason: S, ...stamps }],
    remittanceEmail: S,
    cardFundingPurpose: S,
    cancelRequestSubmitted: B,
    createdBy: S,
    ...stamps
  },
  bank: {
    // §4.5
    id: S,
    archived: B,
    status: S,
    createdBy: S,
    routingNumber: S,
    accountNumber: S,
    nameOnAccount: S,
    type: S,
    ownerType: S,
    bankName: S,
    accessToAdmins: B,
    default: { payables: B, receivables: B },
    chartOfAccountId: S,
    ...stamps
  },
  cards: {
    // §4.5
    rates: { defaultCardAccountId: S, funding: { creditCardRate: N, debitCardRate: N }, activePromotion: {} },
    cards: [
      {
        id: S,
        archived: B,
        ...stamps,
        createdBy: S,
        issuingBankName: S,
        nameOnAccount: S,
        brand: S,
        type: S,
        status: S,
        last4: S,
        expiration: { year: S, month: S },
        default: { payables: B, receivables: B, funding: B, disbursement: B }
      }
    ]
  },
  chartOfAccount: {
    id: S,
    archived: B,
    name: S,
    description: S,
    parentId: S,
    account: { type: S, number: S },
    ...stamps
  }, // §4.6
  item: {
    // §4.7
    id: S,
    type: S,
    shortName: S,
    name: S,
    description: S,
    archived: B,
    parentId: S,
    price: N,
    expenseChartOfAccountId: S,
    purchaseDescription: S,
    purchaseCost: N,
    chartOfAccountId: S,
    taxable: B,
    percentage: N,
    ...stamps
  },
  classification: { id: S, name: S, shortName: S, description: S, parentId: S, archived: B, ...stamps }, // §4.8
  employee: { id: S, firstName: S, lastName: S, shortName: S, parentId: S, archived: B, ...stamps }, // §4.8
  customer: {
    // §4.9
    id: S,
    archived: B,
    name: S,
    companyName: S,
    email: S,
    phone: S,
    fax: S,
    description: S,
    contact: { firstName: S, lastName: S },
    invoiceCurrency: S,
    accountType: S,
    paymentTermId: S,
    accountNumber: S,
    billingAddress: address,
    shippingAddress: address,
    balance: { amount: N },
    ...stamps
  },
  document: { id: S, name: S, createdTime: S, downloadLink: S, numOfPages: N, scanStatus: S }, // §4.10
  error: {
    timestamp: S,
    code: S,
    severity: S,
    category: S,
    message: S,
    params: [{ name: S, value: S, additional: {} }],
    detail: S,
    help: S
  }, // §5.1
  v2Error: { response_status: N, response_message: S, response_data: { error_code: S, error_message: S } }, // §5.3
  v2Bill: {
    // §6.2
    entity: S,
    id: S,
    isActive: S,
    vendorId: S,
    invoiceNumber: S,
    approvalStatus: S,
    invoiceDate: S,
    dueDate: S,
    glPostingDate: S,
    amount: N,
    localAmount: N,
    exchangeRate: N,
    scheduledAmount: N,
    paidAmount: N,
    dueAmount: N,
    paymentStatus: S,
    description: S,
    poNumber: S,
    createdTime: S,
    updatedTime: S,
    payFromBankAccountId: S,
    payFromChartOfAccountId: S,
    paymentTermId: S,
    chartOfAccountId: S,
    departmentId: S,
    locationId: S,
    actgClassId: S,
    billLineItems: [
      {
        entity: S,
        id: S,
        billId: S,
        amount: N,
        chartOfAccountId: S,
        departmentId: S,
        locationId: S,
        jobId: S,
        customerId: S,
        itemId: S,
        employeeId: S,
        actgClassId: S,
        quantity: N,
        unitPrice: N,
        lineType: S,
        description: S
      }
    ]
  },
  v2Approver: {
    entity: S,
    id: S,
    billid: S,
    usersId: S,
    sortOrder: N,
    status: S,
    statusChangedDate: S,
    lastReminderDate: S,
    isActive: S,
    usersIdType: S
  }, // §6.2
  v2ChartOfAccount: {
    // §6.3
    entity: S,
    id: S,
    name: S,
    isActive: S,
    accountNumber: S,
    accountType: S,
    description: S,
    parentChartOfAccountId: S,
    ca1099FormType: S,
    ca1099Type: S,
    createdTime: S,
    updatedTime: S,
    mergedIntoId: S
  }
}

/** Problems with `actual` against the documented shape: unknown keys and JSON type mismatches. */
const problems = (actual: unknown, doc: unknown, path = "$"): Array<string> => {
  if (Array.isArray(doc)) {
    if (!Array.isArray(actual)) return [`${path}: expected array, got ${typeof actual}`]
    return doc.length === 0 ? [] : actual.flatMap((a, i) => problems(a, doc[0], `${path}[${i}]`))
  }
  if (typeof doc === "object" && doc !== null) {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return [`${path}: expected object`]
    if (Object.keys(doc).length === 0) return [] // documented as open ({…})
    return Object.entries(actual).flatMap(([k, v]) =>
      k in doc
        ? problems(v, (doc as Record<string, unknown>)[k], `${path}.${k}`)
        : EXTRA_KEYS.has(k)
          ? []
          : [`${path}.${k}: not in the documented shape`]
    )
  }
  return typeof actual === typeof doc ? [] : [`${path}: expected ${typeof doc}, got ${typeof actual}`]
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/

describe("emulator output against the documented shapes", () => {
  const h = useEmulator({ seed: "demo" })
  let s: Login
  const list = async (path: string) =>
    (await allPages(h, s, `${path}${path.includes("?") ? "&" : "?"}max=100`)).flatMap((p) => p.results)
  beforeAll(async () => {
    s = await login(h)
  })
  const expectShape = (rows: ReadonlyArray<unknown>, doc: unknown, required: ReadonlyArray<string> = []) => {
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.flatMap((r) => problems(r, doc))).toEqual([])
    for (const r of rows) for (const k of required) expect(r, k).toHaveProperty(k)
  }

  it("§1.2 login, §1.4 session, §3.2 envelope", async () => {
    const r = await postJson(`${h.v3}/v3/login`, h.running().core.credentials)
    expectShape([r.body], DOC.login, Object.keys(DOC.login))
    expectShape([(await v3get(h, s, "/v3/login/session")).body], DOC.session, Object.keys(DOC.session))
    const p1 = (await v3get(h, s, "/v3/vendors?max=3")).body
    const p2 = (await v3get(h, s, `/v3/vendors?max=3&page=${p1.nextPage}`)).body
    expectShape([p1, p2], DOC.envelope, ["results"])
    expect(p2).toHaveProperty("prevPage")
  })

  it("§4.1 vendors, §4.9 customers", async () => {
    expectShape(await list("/v3/vendors"), DOC.vendor, ["id", "archived", "name", "createdTime", "updatedTime"])
    expectShape(await list("/v3/customers"), DOC.customer, ["id", "archived", "name"])
  })

  it("§4.2 bills: list rows without approvers, get with approvers; amounts consistent", async () => {
    const rows = (await list("/v3/bills")).filter((b: any) => typeof b.amount === "number")
    expectShape(rows, DOC.bill, [
      "id",
      "archived",
      "recordStatus",
      "vendorId",
      "vendorName",
      "amount",
      "dueAmount",
      "paymentStatus",
      "approvalStatus",
      "billLineItems",
      "invoice",
      "dueDate"
    ])
    for (const b of rows) {
      expect(b.approvers).toBeUndefined()
      // ACTIVE iff not archived ([OAS] BillRecordStatus); every other value means archived.
      if (b.archived) expect(["INACTIVE", "DRAFT", "DRAFT_DELETED", "UNDEFINED"]).toContain(b.recordStatus)
      else expect(b.recordStatus).toBe("ACTIVE")
      expect(Math.round(b.dueAmount * 100)).toBe(
        Math.round(b.amount * 100) -
          Math.round(b.creditAmount * 100) -
          Math.round(b.scheduledAmount * 100) -
          Math.round((b.paidAmount - b.creditAmount) * 100)
      )
      expect(b.createdTime).toMatch(TIMESTAMP)
    }
    const detail = await Promise.all(
      rows.slice(0, 40).map(async (b: any) => (await v3get(h, s, `/v3/bills/${b.id}`)).body)
    )
    expectShape(detail, DOC.bill)
    expect(detail.some((b) => Array.isArray(b.approvers))).toBe(true)
  })

  it("§4.3 vendor credits, §4.4 payments", async () => {
    expectShape(await list("/v3/vendor-credits"), DOC.vendorCredit, [
      "id",
      "vendorId",
      "amount",
      "creditDate",
      "status"
    ])
    expectShape(await list("/v3/payments"), DOC.payment, [
      "id",
      "vendorId",
      "billPayments",
      "processDate",
      "fundingAccount",
      "amount",
      "status"
    ])
  })

  it("§4.5 funding accounts", async () => {
    expectShape(await list("/v3/funding-accounts/banks"), DOC.bank, ["id", "archived", "chartOfAccountId"])
    expectShape([(await v3get(h, s, "/v3/funding-accounts/cards?cardUserStatus=VERIFIED")).body], DOC.cards, [
      "rates",
      "cards"
    ])
  })

  it("§4.6 chart of accounts, §4.7 items, §4.8 classifications", async () => {
    expectShape(await list("/v3/classifications/chart-of-accounts"), DOC.chartOfAccount, [
      "id",
      "archived",
      "name",
      "account"
    ])
    expectShape(await list("/v3/classifications/items"), DOC.item, ["id", "name", "type", "archived"])
    for (const kind of ["departments", "jobs", "locations", "accounting-classes"])
      expectShape(await list(`/v3/classifications/${kind}`), DOC.classification, ["id", "name", "archived"])
    expectShape(await list("/v3/classifications/employees"), DOC.employee, ["id", "firstName", "lastName", "archived"])
  })

  it("§4.10 bill documents", async () => {
    const docs = []
    for (const b of h.running().core.state.org.bills.slice(0, 20))
      docs.push(...(await v3get(h, s, `/v3/documents/bills/${b.id}`)).body.results)
    expectShape(docs, DOC.document, Object.keys(DOC.document))
  })

  it("§5.1 v3 errors, §5.3 v2 errors", async () => {
    const e = (await request(`${h.v3}/v3/vendors`)).body
    expectShape(e, DOC.error, ["timestamp", "code", "severity", "category"])
    expect(e[0].timestamp).toMatch(TIMESTAMP)
    const v2 = (await v2post(h, "Crud/Read/Bill.json", { devKey: "x", sessionId: "y", data: "{}" })).body
    expectShape([v2], DOC.v2Error, ["response_status", "response_message", "response_data"])
  })

  it("§6.2 v2 bill and approvers, §6.3 v2 chart of account", async () => {
    const core = h.running().core
    const auth = { devKey: core.credentials.devKey, sessionId: s.sessionId }
    const bills = core.state.org.bills.filter((b) => b.malformed === undefined).slice(0, 30)
    const v2bills = await Promise.all(
      bills.map(
        async (b) =>
          (await v2post(h, "Crud/Read/Bill.json", { ...auth, data: JSON.stringify({ id: b.id }) })).body.response_data
      )
    )
    expectShape(v2bills, DOC.v2Bill, ["entity", "id", "isActive", "approvalStatus", "paymentStatus", "amount"])
    const approvers = (
      await Promise.all(
        bills.map(
          async (b) =>
            (
              await v2post(h, "ListApprovers.json", {
                ...auth,
                data: JSON.stringify({ objectId: b.id, entity: "Bill" })
              })
            ).body.response_data
        )
      )
    ).flat()
    expectShape(approvers, DOC.v2Approver, Object.keys(DOC.v2Approver))
    // v2 has no accountType code for a row v3 reports as UNDEFINED (the field is left out there).
    const coa = await Promise.all(
      core.state.org.chartOfAccounts
        .filter((a) => a.type !== "UNDEFINED")
        .map(
          async (a) =>
            (await v2post(h, "Crud/Read/ChartOfAccount.json", { ...auth, data: JSON.stringify({ id: a.id }) })).body
              .response_data
        )
    )
    expectShape(coa, DOC.v2ChartOfAccount, Object.keys(DOC.v2ChartOfAccount))
  })
})
