import { it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { expect } from "vitest"
import { agingCsv, errorsCsv } from "../../src/ledger/csv.ts"
import { renderHtml } from "../../src/ledger/html.ts"
import { collectHtmlInput } from "../../src/ledger/report-data.ts"
import { IntegrationErrors } from "../../src/store/integration-errors.ts"
import { Journal } from "../../src/ledger/journal.ts"
import { LedgerPayables } from "../../src/ledger/payables.ts"
import { withBrowser } from "../support/browser.ts"
import { AS_OF, reportFixture, ReportTest } from "./report-fixture.ts"
import { billLine, billWrite, makeFixture } from "./support.ts"

/** Where the page, its CSV files and screenshots land (kept for a human to look at; CI can upload them). */
const OUT = join(process.cwd(), ".billsync", "test-artifacts")

/** The books are closed through this day: a later change to a bill dated before it posts on the next day. */
const CLOSED_THROUGH = "2025-05-31"

/**
 * The report fixture plus what a controller's real AP looks like: a vendor whose unapplied payment
 * exceeds its (90+ days) bill, so its net is negative and "Over 90" is more than open AP; a vendor
 * netting to zero; a payment Bill.com holds as SCHEDULED (not posted); a bill in a closed period
 * recoded after the close (a late posting); errors on records named only by their Bill.com ids,
 * two of them with one cause.
 */
const controllerFixture = Effect.gen(function* () {
  const { f, pipeline } = yield* reportFixture
  const sql = yield* SqlClient.SqlClient
  const payables = yield* LedgerPayables
  const [northwind, zero] = (yield* sql<{ id: string }>`INSERT INTO vendors ${sql.insert([
    { company_id: f.companyId, key: "V-0004", name: "Northwind Freight", billcom_id: "009V-0004" },
    { company_id: f.companyId, key: "V-0005", name: "Zero Net Supplies", billcom_id: "009V-0005" }
  ])} RETURNING id::text`).map((r) => Number(r.id))
  yield* sql.withTransaction(
    Effect.gen(function* () {
      yield* payables.writeBills(f.companyId, [
        billWrite({
          billcomId: "00n02NWF",
          vendorId: northwind!,
          invoiceNumber: "NW-1001",
          invoiceDate: "2024-12-01",
          dueDate: "2025-01-15",
          amount: "1000.00",
          lines: [billLine(1, f.expenses[0]!, "1000.00")]
        }),
        billWrite({
          billcomId: "00n02ZRO",
          vendorId: zero!,
          invoiceNumber: "ZN-5",
          invoiceDate: "2025-06-01",
          dueDate: "2025-06-15",
          amount: "300.00",
          lines: [billLine(1, f.expenses[1]!, "300.00")]
        })
      ])
      yield* payables.writeVendorPayments(f.companyId, [
        {
          billcomId: "stp02NWP",
          vendorId: northwind!,
          processDate: "2025-05-01",
          amount: "4000.00",
          fundingAccountId: f.bankAccount,
          cashAccountId: f.bank,
          status: "PAID",
          description: null,
          updatedTime: null,
          applications: []
        },
        {
          billcomId: "stp02SCH",
          vendorId: f.vendors[0]!,
          processDate: "2025-07-05",
          amount: "250.00",
          fundingAccountId: f.bankAccount,
          cashAccountId: f.bank,
          status: "SCHEDULED",
          description: null,
          updatedTime: null,
          applications: [{ line_no: 1, billcom_id: null, billcom_bill_id: "00n02CUR", bill_id: null, amount: "250.00" }]
        }
      ])
      yield* payables.writeVendorCredits(f.companyId, [
        {
          billcomId: "vcr02ZRO",
          vendorId: zero!,
          referenceNumber: "ZN-CM-1",
          creditDate: "2025-06-01",
          amount: "300.00",
          appliedAmount: "0.00",
          status: "NOT_APPLIED",
          description: null,
          archived: false,
          updatedTime: null,
          lines: [
            {
              line_no: 1,
              billcom_id: null,
              account_id: f.expenses[1]!,
              item_id: null,
              customer_id: null,
              dimension_ids: [],
              description: null,
              amount: "300.00"
            }
          ]
        }
      ])
    })
  )
  // Close the books through May, then recode Northwind's December bill to another expense account: its reversal
  // and new posting land on the first open day (same AP amount, so the aging does not move).
  yield* (yield* Journal).configure(f.companyId, { apAccount: "2000", closedThrough: CLOSED_THROUGH })
  yield* sql.withTransaction(
    payables.writeBills(f.companyId, [
      billWrite({
        billcomId: "00n02NWF",
        vendorId: northwind!,
        invoiceNumber: "NW-1001",
        invoiceDate: "2024-12-01",
        dueDate: "2025-01-15",
        amount: "1000.00",
        lines: [billLine(1, f.expenses[2]!, "1000.00")]
      })
    ])
  )
  // The records behind the errors, as the sync stores them when pulled (the failing ones never reach the ledger).
  const raw = (kind: string, id: string, value: unknown) =>
    sql`INSERT INTO source_records (integration_id, kind, billcom_id, raw, content_hash, outcome) VALUES (${f.integrationId}, ${kind}, ${id}, ${JSON.stringify(value)}::jsonb, ${id}, 'error')
      ON CONFLICT (integration_id, kind, billcom_id) DO UPDATE SET raw = EXCLUDED.raw`
  yield* raw("bill", "00n02UNM", {
    id: "00n02UNM",
    vendorId: "00902XYZ",
    vendorName: "Acme Unmapped Corp",
    invoice: { invoiceNumber: "AUC-77" }
  })
  yield* raw("bill", "00n02UN2", {
    id: "00n02UN2",
    vendorId: "00902XYZ",
    vendorName: "Acme Unmapped Corp",
    invoice: { invoiceNumber: "AUC-78" }
  })
  yield* raw("vendor", "00902QQQ", { id: "00902QQQ", name: "Summit Components" })
  // A v3 payment names the bills it pays in billPayments (billcom-api.md §4.4).
  yield* raw("payment", "stp02BAD", {
    id: "stp02BAD",
    vendorId: "00902QQQ",
    amount: 55,
    processDate: "2025-06-02",
    billPayments: [{ id: "blp02BAD", billId: "00n02UNM", amount: 55 }]
  })
  const [run] = yield* sql<{
    id: string
  }>`SELECT max(id)::text AS id FROM sync_runs WHERE integration_id = ${f.integrationId}`
  // A quick run: start and finish fall in the same second (run times are stored to the second), its stage took 1.5 s.
  const [quick] = yield* sql<{
    id: string
  }>`INSERT INTO sync_runs (integration_id, kind, status, stages, started_at, finished_at, api_calls)
    VALUES (${f.integrationId}, 'full', 'succeeded', ${["bills"]}, '2025-06-30T11:00:00Z', '2025-06-30T11:00:00Z', 3) RETURNING id::text`
  yield* sql`INSERT INTO sync_run_stages ${sql.insert({ run_id: quick!.id, stage: "bills", position: 4, status: "succeeded", pulled: 0, inserted: 0, errors: 0, duration_ms: 1500 })}`
  yield* (yield* IntegrationErrors).record(f.integrationId, Number(run!.id), [
    {
      stage: "bills",
      kind: "bill",
      billcomId: "00n02UN2",
      code: "bill-unmapped",
      symptom: "Bills do not import",
      cause: "vendor / item / classification mappings are missing",
      resolution: "Map vendor 00902XYZ in mappings/demo/vendors.yaml",
      message: "unmapped: vendor 00902XYZ (Acme Unmapped Corp)",
      detail: null
    }
  ])
  return { f, pipeline }
})

it.layer(ReportTest, { timeout: "180 seconds" })("HTML report", (it) => {
  it.effect(
    "a controller's view in headless Chromium: every vendor, Over 90 explained, drill-down to bills, errors by cause, print, CSV, scheduled, tie-out, late postings, invariants, configurable buckets",
    () =>
      Effect.gen(function* () {
        const { pipeline } = yield* controllerFixture
        const input = yield* collectHtmlInput(pipeline, "fixture-co", AS_OF)
        const html = renderHtml({ ...input, csv: true })
        // Self-contained: no script, stylesheet, image or font is fetched from anywhere.
        expect(html).not.toMatch(/<script|<link|<img|@import|url\(|src=/i)
        mkdirSync(OUT, { recursive: true })
        const file = join(OUT, "report.html")
        writeFileSync(file, html)
        // The same ledger with --buckets 15,45, and a company whose journal is empty.
        const bucketsFile = join(OUT, "report-buckets.html")
        writeFileSync(bucketsFile, renderHtml(yield* collectHtmlInput(pipeline, "fixture-co", AS_OF, 20, [15, 45])))
        const empty = yield* makeFixture
        const emptyPipeline = (yield* SqlClient.SqlClient)<{
          pipeline: string
        }>`SELECT pipeline FROM integrations WHERE id = ${empty.integrationId}`
        const emptyFile = join(OUT, "report-empty.html")
        writeFileSync(
          emptyFile,
          renderHtml(yield* collectHtmlInput((yield* emptyPipeline)[0]!.pipeline, "empty-co", AS_OF))
        )
        writeFileSync(join(OUT, "aging.csv"), agingCsv(input.aging))
        writeFileSync(join(OUT, "errors.csv"), errorsCsv(input.openErrors, input.errorContext))

        const seen = yield* withBrowser((browser) =>
          Effect.promise(async () => {
            const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
            const requests: Array<string> = []
            page.on("request", (r) => requests.push(r.url()))
            await page.goto(`file://${file}`)
            const text = await page.locator("body").innerText()
            const chartLabels = await page.locator("#aging-chart text").allTextContents()
            const agingRows = await page.locator("#aging > tbody > tr").allInnerTexts()
            const over90 = {
              visible: await page.locator("#oldest-note").isVisible(),
              text: await page.locator("#oldest-note").innerText()
            }
            const summary = await page.locator(".aging-summary").innerText()
            const cards = {
              oldest: await page.locator(".card", { has: page.locator("#oldest-bucket") }).innerText(),
              scheduled: await page.locator("#scheduled").innerText(),
              tieOut: await page.locator("#tie-out").innerText(),
              tieOutClass: await page.locator("#tie-out").getAttribute("class"),
              invariants: await page.locator("#invariants").innerText(),
              invariantsClass: await page.locator("#invariants").getAttribute("class")
            }
            const tieOutLines = await page.locator("#tie-out-lines li").allInnerTexts()
            const agingHeader = await page.locator("#aging > thead th").allInnerTexts()
            const latePostings = {
              visible: await page.locator("#late-postings").isVisible(),
              rows: await page.locator("#late-postings tbody tr").allInnerTexts()
            }
            // Drill-down: Northwind's bills are hidden until its name is clicked.
            const drill = page.locator("#vendor-V-0004 table.items")
            const beforeClick = await drill.isVisible()
            await page.locator("#aging summary", { hasText: "Northwind Freight (V-0004)" }).click()
            const afterClick = await drill.isVisible()
            const drillRows = await drill.locator("tbody tr").allInnerTexts()
            await page.screenshot({ path: join(OUT, "report.png"), fullPage: true })
            const groups = await page.locator("#open-errors .error-group").allInnerTexts()
            const groupTitles = await page.locator("#open-errors .error-group h3").allInnerTexts()
            const csvLinks = await page
              .locator(".downloads a")
              .evaluateAll((as) => as.map((a) => a.getAttribute("href")))
            const printHiddenBefore = await page.locator("#open-items-print").isVisible()
            await page.emulateMedia({ media: "print" })
            const print = {
              appendix: await page.locator("#open-items-print").isVisible(),
              appendixText: await page.locator("#open-items-print").innerText(),
              downloads: await page.locator(".downloads").isVisible()
            }
            await page.screenshot({ path: join(OUT, "report-print.png"), fullPage: true })

            // --buckets 15,45: the table, the chart's legend, the oldest-bucket card and its explanation follow the buckets.
            await page.emulateMedia({ media: "screen" })
            await page.goto(`file://${bucketsFile}`)
            const buckets = {
              header: await page.locator("#aging > thead th").allInnerTexts(),
              legend: await page.locator("#aging-chart text").allTextContents(),
              oldest: await page.locator(".card", { has: page.locator("#oldest-bucket") }).innerText(),
              note: await page.locator("#oldest-note").innerText()
            }
            // An empty journal: nothing was checked, so nothing is said to hold.
            await page.goto(`file://${emptyFile}`)
            const emptyJournal = {
              invariants: await page.locator("#invariants").innerText(),
              invariantsClass: await page.locator("#invariants").getAttribute("class"),
              tieOut: await page.locator("#tie-out").innerText()
            }
            return {
              text,
              chartLabels,
              agingRows,
              over90,
              summary,
              cards,
              tieOutLines,
              agingHeader,
              latePostings,
              beforeClick,
              afterClick,
              drillRows,
              groups,
              groupTitles,
              csvLinks,
              printHiddenBefore,
              print,
              buckets,
              emptyJournal,
              requests
            }
          })
        )
        expect(seen.requests.filter((u) => !u.startsWith("file://"))).toEqual([])
        expect(seen.text).toContain(`billsync report — ${pipeline}`)
        expect(seen.text).toContain("170.00 USD") // open AP card: 3,170.00 − 3,000.00 (Northwind) + 0.00 (Zero Net)
        expect(seen.cards.invariants).toMatch(/^all hold \(\d+ journal entries checked\)$/)
        expect(seen.cards.invariantsClass).toBe("ok")
        expect(seen.emptyJournal).toEqual({
          invariants: "no entries to check",
          invariantsClass: "none",
          tieOut: "difference 0.00"
        })

        // The tie-out to the AP control account: a card, and the lines above the aging.
        expect([seen.cards.tieOut, seen.cards.tieOutClass]).toEqual(["difference 0.00", "ok"])
        expect(seen.tieOutLines).toEqual([
          "Tie-out: aging total 170.00 USD = AP control 2000 Accounts Payable 170.00 USD, difference 0.00",
          "Tie-out USD: aging 170.00 USD = AP control 170.00 USD, difference 0.00"
        ])
        // Scheduled (SCHEDULED/APPROVING, not posted) beside the open balances: a card and a column.
        expect(seen.cards.scheduled).toBe("250.00")
        expect(seen.agingHeader).toEqual([
          "Vendor",
          "Current",
          "1–30",
          "31–60",
          "61–90",
          "90+",
          "Unapplied",
          "Total",
          "Scheduled"
        ])
        expect(seen.agingRows.find((r) => r.includes("Evergreen Catering"))).toMatch(/\s1,150\.00\s+250\.00$/)
        // The late postings of the closed period: the recoded bill's reversal and new posting, on the first open day.
        expect(seen.latePostings.visible).toBe(true)
        expect(seen.latePostings.rows).toHaveLength(2)
        expect(seen.latePostings.rows[0]).toMatch(
          /^\d+\s+reversal\s+V-0004\s+2024-12-01\s+2025-06-01\s+1,000\.00\s+Reversal: Bill NW-1001$/
        )
        expect(seen.latePostings.rows[1]).toMatch(
          /^\d+\s+posting\s+V-0004\s+2024-12-01\s+2025-06-01\s+1,000\.00\s+Bill NW-1001$/
        )

        // Every vendor of the aging, in the chart and the table, whatever the sign of its net.
        for (const name of [
          "Evergreen Catering",
          "Crescent Paper",
          "Summit Components",
          "Northwind Freight",
          "Zero Net Supplies"
        ]) {
          expect(seen.chartLabels, name).toContain(name)
        }
        expect(seen.chartLabels).toContain("net -3,000.00")
        expect(seen.chartLabels).toContain("net 0.00")
        expect(seen.agingRows).toHaveLength(5)
        expect(seen.agingRows.find((r) => r.includes("Northwind Freight"))).toMatch(
          /0\.00\s+0\.00\s+0\.00\s+0\.00\s+1,000\.00\s+-4,000\.00\s+-3,000\.00\s+0\.00$/
        )
        expect(seen.agingRows.find((r) => r.includes("Zero Net Supplies"))).toMatch(
          /300\.00\s+0\.00\s+0\.00\s+0\.00\s+-300\.00\s+0\.00\s+0\.00$/
        )

        // Over 90 (510 + 1,000) is more than open AP (170), and the page says why.
        expect(seen.cards.oldest).toMatch(/^Over 90 days\s+1,510\.00$/)
        expect(seen.summary).toContain(
          "Open AP 170.00 = bills still owed 4,530.00 − unapplied credits and payments 4,360.00."
        )
        expect(seen.over90.visible).toBe(true)
        expect(seen.over90.text).toContain(
          "Over 90 days (1,510.00) is more than open AP (170.00) because 4,360.00 of vendor credits and payments are not applied to any bill"
        )

        // A click on a vendor opens its open items.
        expect(seen.beforeClick).toBe(false)
        expect(seen.afterClick).toBe(true)
        expect(seen.drillRows).toHaveLength(2)
        expect(seen.drillRows[0]).toMatch(/Invoice NW-1001\s+2025-01-15\s+166\s+Over 90 days\s+1,000\.00/)
        expect(seen.drillRows[1]).toMatch(/Payment not applied to a bill in the ledger.*Unapplied\s+-4,000\.00/)

        // Errors grouped by cause, named by vendor and document, one resolution per group, no internal ids.
        expect(seen.groupTitles).toEqual(["Bills do not import 2 record(s)", "Vendor payment fails 1 record(s)"])
        expect(seen.groups[0]).toMatch(/Acme Unmapped Corp\s+invoice AUC-77/)
        expect(seen.groups[0]).toMatch(/Acme Unmapped Corp\s+invoice AUC-78/)
        expect(seen.text.split("Map vendor 00902XYZ in mappings/demo/vendors.yaml").length - 1).toBe(1)
        expect(seen.groups[1]).toMatch(/Summit Components\s+payment of 55 on 2025-06-02 \(invoice AUC-77\)/)
        for (const id of ["00n02UNM", "00n02UN2", "stp02BAD", "00n02NWF"]) expect(seen.text, id).not.toContain(id)

        // Nothing left as a placeholder, no meaningless durations.
        expect(seen.text).not.toContain("<pipeline>")
        expect(seen.text).toContain(`billsync mappings suggest ${pipeline}`)
        expect(seen.text).not.toMatch(/\b0 ms\b/)
        expect(seen.text).toMatch(/\d+\s+full\s+succeeded_with_errors\s+2025-06-30 10:00:00\s+42\.0 s/)
        expect(seen.text).toMatch(/\d+\s+full\s+succeeded\s+2025-06-30 11:00:00\s+1\.5 s/)

        // Print: every vendor's open items in an appendix; the download links are not printed.
        expect(seen.printHiddenBefore).toBe(false)
        expect(seen.print).toMatchObject({ appendix: true, downloads: false })
        expect(seen.print.appendixText).toContain("Northwind Freight (V-0004) — net -3,000.00")
        expect(seen.print.appendixText).toContain("Invoice ZN-5")

        // CSV of the aging and of the errors, linked from the page.
        expect(seen.csvLinks).toEqual(["aging.csv", "errors.csv"])
        const aging = readFileSync(join(OUT, "aging.csv"), "utf8").split("\r\n")
        expect(aging[0]).toBe("vendor_key,vendor,current,1-30,31-60,61-90,90+,unapplied,total,scheduled,currency,as_of")
        expect(aging).toContain(
          "V-0004,Northwind Freight,0.00,0.00,0.00,0.00,1000.00,-4000.00,-3000.00,0.00,USD,2025-06-30"
        )
        expect(aging.find((l) => l.startsWith("V-0001,"))).toMatch(/,1150\.00,250\.00,USD,2025-06-30$/)

        // --buckets 15,45: the same ledger aged into current, 1–15, 16–45 and over 45 days.
        expect(seen.buckets.header).toEqual([
          "Vendor",
          "Current",
          "1–15",
          "16–45",
          "45+",
          "Unapplied",
          "Total",
          "Scheduled"
        ])
        expect(seen.buckets.legend.slice(0, 5)).toEqual([
          "Current",
          "1–15 days",
          "16–45 days",
          "Over 45 days",
          "Unapplied"
        ])
        expect(seen.buckets.oldest).toMatch(/^Over 45 days\s+2,720\.00$/)
        expect(seen.buckets.note).toContain(
          "Over 45 days (2,720.00) is more than open AP (170.00) because 4,360.00 of vendor credits and payments are not applied to any bill"
        )
        const errors = readFileSync(join(OUT, "errors.csv"), "utf8")
        expect(errors).toContain(
          "bill-unmapped,Bills do not import,vendor / item / classification mappings are missing,Acme Unmapped Corp,invoice AUC-78,"
        )
      })
  )
})
