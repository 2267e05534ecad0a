import { it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { expect } from "vitest"
import { renderHtml } from "../../src/ledger/html.ts"
import { collectHtmlInput } from "../../src/ledger/report-data.ts"
import { withBrowser } from "../support/browser.ts"
import { AS_OF, reportFixture, ReportTest } from "./report-fixture.ts"

/** Where the screenshot lands (kept for a human to look at; CI can upload it). */
const OUT = join(process.cwd(), ".billsync", "test-artifacts")

it.layer(ReportTest, { timeout: "180 seconds" })("HTML report", (it) => {
  it.effect("renders self-contained in headless Chromium: cards, aging chart, run history, errors with resolutions, unmapped records", () =>
    Effect.gen(function* () {
      const { pipeline } = yield* reportFixture
      const html = renderHtml(yield* collectHtmlInput(pipeline, "fixture-co", AS_OF))
      // Self-contained: no script, stylesheet, image or font is fetched from anywhere.
      expect(html).not.toMatch(/<script|<link|<img|@import|url\(|src=/i)
      mkdirSync(OUT, { recursive: true })
      const file = join(OUT, "report.html")
      writeFileSync(file, html)

      const seen = yield* withBrowser((browser) =>
          Effect.promise(async () => {
            const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
            const requests: Array<string> = []
            page.on("request", (r) => requests.push(r.url()))
            await page.goto(`file://${file}`)
            await page.screenshot({ path: join(OUT, "report.png"), fullPage: true })
            const text = await page.locator("body").innerText()
            const bars = await page.locator("#aging-chart rect").count()
            const chartBox = await page.locator("#aging-chart").boundingBox()
            const visible = await Promise.all(["#aging", "#runs", "#open-errors", "#unmapped", "#trial-balance"].map((s) => page.locator(s).isVisible()))
            const agingRows = await page.locator("#aging tbody tr").allInnerTexts()
            return { text, bars, chartBox, visible, agingRows, requests }
          })
      )
      expect(seen.requests.filter((u) => !u.startsWith("file://"))).toEqual([])
      expect(seen.visible).toEqual([true, true, true, true, true])
      expect(seen.text).toContain(`billsync report — ${pipeline}`)
      expect(seen.text).toContain("3,170.00 USD") // open AP card
      expect(seen.text).toContain("all hold") // invariants
      // 5 legend swatches + one segment per non-empty bucket of each vendor (V1: 2, V2: 1, V3: 2).
      expect(seen.bars).toBe(5 + 5)
      expect(seen.chartBox!.width).toBeGreaterThan(400)
      expect(seen.agingRows).toHaveLength(3)
      expect(seen.agingRows[0]).toMatch(/Evergreen Catering \(V-0001\)\s+1,000\.00\s+200\.00/)
      expect(seen.text).toContain("succeeded_with_errors")
      expect(seen.text).toContain("Map vendor 00902XYZ in mappings/demo/vendors.yaml")
      expect(seen.text).toContain("unmapped: vendor 00902XYZ (Acme Unmapped Corp)")
      expect(seen.text).toMatch(/2000\s+Accounts Payable\s+accounts-payable\s+3,170\.00/)
    })
  )
})
