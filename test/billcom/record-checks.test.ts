import { HashMap, Cause, LogLevel } from "effect"
import { describe, expect, test } from "vitest"
import { recordProblem, refusedCopy, refusedReason, storableJsonText } from "../../src/billcom/record-checks.ts"
import { makeSecretRegistry } from "../../src/billcom/secrets.ts"
import { formatLogLine } from "../../src/cli/log.ts"

describe("record checks (what the ledger cannot hold, in words)", () => {
  test("ranges, calendar dates, NUL / control characters / unpaired surrogates; ordinary records pass", () => {
    expect(recordProblem({ id: "b", amount: 1e17 })).toBe("amount 1e17 is outside the ledger's range (±10^15)")
    expect(recordProblem({ id: "b", billLineItems: [{ quantity: 1e14 }] })).toBe(
      "billLineItems[0].quantity 100000000000000 is outside the ledger's range (±10^13)"
    )
    expect(recordProblem({ id: "v", name: "Acme\u0000" })).toBe("NUL character in name")
    expect(recordProblem({ id: "b", description: "\u001b[31mred" })).toBe("control character U+001B in description")
    expect(recordProblem({ id: "b", description: "half \ud83d" })).toBe("unpaired surrogate U+D83D in description")
    expect(recordProblem({ id: "b", invoice: { invoiceDate: "2025-02-30" } })).toBe(
      `invoice.invoiceDate "2025-02-30" is not a calendar date`
    )
    expect(recordProblem({ id: "b", dueDate: "2025-13-01" })).toBe(`dueDate "2025-13-01" is not a calendar date`)
    expect(recordProblem({ id: "b", updatedTime: "2023-02-29T00:00:00Z" })).toBe(
      `updatedTime "2023-02-29T00:00:00Z" is not a calendar date`
    )
    expect(
      recordProblem(
        { id: "b", updatedTime: "9999-12-31T23:59:59Z" },
        { updatedNotAfterMs: Date.parse("2026-12-04T00:00:00Z") }
      )
    ).toBe(
      `updatedTime "9999-12-31T23:59:59Z" is in the future (after 2026-12-04T00:00:00.000Z): the list's cursor must not move past it`
    )
    // A copy of another record's name is that record's problem: the vendor is refused, its bill waits for it.
    expect(recordProblem({ id: "b", vendorName: "Acme\u0000" })).toBeUndefined()
    expect(
      recordProblem({
        id: "b",
        amount: 228.99,
        description: "tabs\tand\nlines 😀",
        invoice: { invoiceDate: "2024-02-29" },
        dueDate: "2024-03-30T00:00:00.000+00:00"
      })
    ).toBeUndefined()
  })

  test("a refused record's stored copy is storable and stays refused", () => {
    const copy = refusedCopy({ id: "v", name: "Acme\u0000\ud800" }, "NUL character in name")
    expect(storableJsonText(copy)).not.toMatch(/\\u0000|\\ud800/)
    expect(refusedReason(JSON.parse(storableJsonText(copy)))).toBe("NUL character in name")
    expect(recordProblem(JSON.parse(storableJsonText(copy)))).toBeUndefined()
  })
})

describe("the secrets scrubber", () => {
  test("replaces every registered secret, as sent and as a server may quote it (URL-encoded, JSON-escaped), in text, values and log lines", () => {
    const secrets = makeSecretRegistry()
    const { register, scrub, leaks, scrubDeep } = secrets
    register('dev-key/with+specials"quoted')
    register("short")
    const echoed = `devKey=dev-key/with+specials"quoted encoded=${encodeURIComponent('dev-key/with+specials"quoted')} json=${JSON.stringify('dev-key/with+specials"quoted')}`
    expect(scrub(echoed)).toBe(`devKey=[redacted] encoded=[redacted] json="[redacted]"`)
    expect(leaks(echoed)).toBe(true)
    expect(scrub("a short word stays")).toBe("a short word stays")
    expect(scrubDeep({ message: ['dev-key/with+specials"quoted'] })).toEqual({ message: ["[redacted]"] })
    const line = formatLogLine(
      "text",
      {
        date: new Date(0),
        logLevel: LogLevel.Error,
        message: 'Bill.com said dev-key/with+specials"quoted',
        annotations: HashMap.make(["detail", 'dev-key/with+specials"quoted']),
        cause: Cause.empty
      },
      secrets
    )
    expect(line).not.toContain("dev-key/with")
    expect(line).toContain("[redacted]")
  })
})
