import { describe, expect, it } from "vitest"
import { BASE, edit, problemsOf, repo } from "./support.ts"

const P = "pipelines/p.yaml"
const A = "mappings/co/accounts.yaml"
const F = "mappings/co/funding-accounts.yaml"
const V = "mappings/co/vendors.yaml"

describe("cross-file checks report every problem at the offending node", () => {
  it("accepts the base repository", async () => {
    expect(await problemsOf(repo())).toEqual([])
  })

  it("funding account mapped to an unknown ledger account", async () => {
    const dir = repo({ [F]: edit(BASE[F], 'ledgerAccount: "1000"', 'ledgerAccount: "1001"') })
    expect(await problemsOf(dir)).toEqual([`${F}:4:20: ledgerAccount "1001" is not an account in ${A}`])
  })

  it("funding account mapped to an account that is not bank or credit-card", async () => {
    const dir = repo({ [F]: edit(BASE[F], 'ledgerAccount: "1000"', 'ledgerAccount: "6000"') })
    expect(await problemsOf(dir)).toEqual([
      `${F}:4:20: ledgerAccount "6000" has type expense (${A}:11:11); a funding account must map to a bank or credit-card account`
    ])
  })

  it("funding account mapped to a retired account", async () => {
    const dir = repo({ [A]: edit(BASE[A], "    type: bank\n", "    type: bank\n    active: false\n") })
    expect(await problemsOf(dir)).toEqual([`${F}:4:20: ledgerAccount "1000" is retired (active: false at ${A}:6:13)`])
  })

  it("an AP card (dva…) maps like a bank account or a card account; other prefixes are refused", async () => {
    const apCard = `${BASE[F]}  - billcomId: dva02AAAAAAAAAAAAAAA\n    ledgerAccount: "1000"\n`
    expect(await problemsOf(repo({ [F]: apCard }))).toEqual([])
    const vendorId = `${BASE[F]}  - billcomId: 00902AAAAAAAAAAAAAAB\n    ledgerAccount: "1000"\n`
    expect(await problemsOf(repo({ [F]: vendorId }))).toEqual([
      `${F}:5:16: fundingAccounts[1].billcomId: "00902AAAAAAAAAAAAAAB" is not a Bill.com funding account (bank account bac…, card account cat… or AP card dva…) id: funding account (bank account bac…, card account cat… or AP card dva…) ids start with bac, cat or dva, this one starts with 009`
    ])
  })

  it("unknown parent", async () => {
    const dir = repo({ [A]: edit(BASE[A], 'parent: "6000"', 'parent: "6001"') })
    expect(await problemsOf(dir)).toEqual([`${A}:15:13: parent "6001" of account 6100 is not an account in this file`])
  })

  it("an account that is its own parent", async () => {
    const dir = repo({ [A]: edit(BASE[A], 'parent: "6000"', 'parent: "6100"') })
    expect(await problemsOf(dir)).toEqual([`${A}:15:13: account 6100 cannot be its own parent`])
  })

  it("a parent cycle is reported once, at the first account of the cycle", async () => {
    const dir = repo({
      [A]: edit(
        BASE[A],
        '    type: expense\n  - number: "6100"',
        '    type: expense\n    parent: "6100"\n  - number: "6100"'
      )
    })
    expect(await problemsOf(dir)).toEqual([`${A}:12:13: parent cycle: 6000 → 6100 → 6000`])
  })

  it("a longer cycle above an innocent child", async () => {
    const accounts = [
      BASE[A]!.trimEnd(),
      '  - number: "7000"', // 19
      "    name: A",
      "    type: expense",
      '    parent: "7200"', // 22
      '  - number: "7100"',
      "    name: B",
      "    type: expense",
      '    parent: "7000"', // 26
      '  - number: "7200"',
      "    name: C",
      "    type: expense",
      '    parent: "7100"', // 30
      '  - number: "7300"',
      "    name: child",
      "    type: expense",
      '    parent: "7200"', // 34
      ""
    ].join("\n")
    expect(await problemsOf(repo({ [A]: accounts }))).toEqual([`${A}:22:13: parent cycle: 7000 → 7200 → 7100 → 7000`])
  })

  it("duplicate account numbers, and the AP account that disappeared with them", async () => {
    const dir = repo({ [A]: edit(BASE[A], 'number: "2000"', 'number: "1000"') })
    expect(await problemsOf(dir)).toEqual([
      `${A}:6:13: duplicate account number "1000": already defined at ${A}:3:13`,
      `${P}:15:14: ledger.apAccount "2000" is not an account in ${A}`
    ])
  })

  it("AP account of the wrong type", async () => {
    const dir = repo({ [P]: edit(BASE[P], 'apAccount: "2000"', 'apAccount: "1000"') })
    expect(await problemsOf(dir)).toEqual([
      `${P}:15:14: ledger.apAccount "1000" has type bank (${A}:5:11); the AP control account must be of type accounts-payable`
    ])
  })

  it("AP account missing from the pipeline", async () => {
    const dir = repo({ [P]: edit(BASE[P], 'ledger:\n  apAccount: "2000"\n  openingBalanceAccount: "3000"\n', "") })
    expect(await problemsOf(dir)).toEqual([`${P}:2:1: ledger is required`])
  })

  it("the ledger section's other accounts: opening balances equity, FX an income or expense account, the wallet a bank account", async () => {
    const ledger = (lines: string) => repo({ [P]: edit(BASE[P], '  openingBalanceAccount: "3000"\n', lines) })
    expect(await problemsOf(ledger('  openingBalanceAccount: "6000"\n'))).toEqual([
      `${P}:16:26: ledger.openingBalanceAccount "6000" has type expense (${A}:11:11); opening balances at the cutoff go to an equity account`
    ])
    expect(
      await problemsOf(
        ledger('  openingBalanceAccount: "3000"\n  fxGainLossAccount: "1000"\n  walletAccount: "2000"\n')
      )
    ).toEqual([
      `${P}:17:22: ledger.fxGainLossAccount "1000" has type bank (${A}:5:11); realised FX gains and losses go to an income or expense account (income, other-income, expense, other-expense)`,
      `${P}:18:18: ledger.walletAccount "2000" has type accounts-payable (${A}:8:11); wallet-funded payments come out of a bank account`
    ])
    expect(
      await problemsOf(
        ledger('  openingBalanceAccount: "3000"\n  fxGainLossAccount: "6100"\n  walletAccount: "1000"\n')
      )
    ).toEqual([])
    expect(await problemsOf(ledger('  openingBalanceAccount: "3999"\n'))).toEqual([
      `${P}:16:26: ledger.openingBalanceAccount "3999" is not an account in ${A}`
    ])
  })

  it("a cutoff needs an opening balance account (bills open at the cutoff come in against it)", async () => {
    expect(await problemsOf(repo({ [P]: edit(BASE[P], '  openingBalanceAccount: "3000"\n', "") }))).toEqual([
      `${P}:11:9: a cutoff needs ledger.openingBalanceAccount (an equity account): bills dated before the cutoff that are still open at it come in as opening items against that account`
    ])
    // Without a cutoff there is nothing to open.
    expect(
      await problemsOf(
        repo({ [P]: edit(edit(BASE[P], '  openingBalanceAccount: "3000"\n', ""), "cutoff: 2024-01-01\n", "") })
      )
    ).toEqual([])
  })

  it("closedThrough is a calendar date and closedPeriodPolicy one of next-open-period, error", async () => {
    const ledger = (lines: string) =>
      repo({ [P]: edit(BASE[P], '  openingBalanceAccount: "3000"\n', `  openingBalanceAccount: "3000"\n${lines}`) })
    expect(await problemsOf(ledger("  closedThrough: 2025-12-31\n  closedPeriodPolicy: error\n"))).toEqual([])
    const bad = await problemsOf(ledger("  closedThrough: 2025-13-31\n  closedPeriodPolicy: later\n"))
    expect(bad.length).toBe(2)
    expect(bad[0]).toMatch(new RegExp(`^${P}:17:18: .*2025-13-31.*calendar date`))
    expect(bad[1]).toMatch(new RegExp(`^${P}:18:23: .*later`))
  })

  it("a Bill.com id mapped twice in one file", async () => {
    const vendors = `${BASE[V]}  - billcomId: 00902AAAAAAAAAAAAAAA\n    ledgerVendor: V-2\n`
    expect(await problemsOf(repo({ [V]: vendors }))).toEqual([
      `${V}:6:16: Bill.com id 00902AAAAAAAAAAAAAAA is mapped twice: already mapped at ${V}:3:16`
    ])
  })

  it("a Bill.com id mapped twice across files (with the wrong prefix for one of them)", async () => {
    const dir = repo({
      [A]: edit(BASE[A], "    type: bank\n", "    type: bank\n    billcomId: bac02AAAAAAAAAAAAAAA\n")
    })
    expect(await problemsOf(dir)).toEqual([
      `${A}:6:16: accounts[0].billcomId: "bac02AAAAAAAAAAAAAAA" is not a Bill.com chart-of-account id: chart-of-account ids start with 0ca, this one starts with bac`,
      `${F}:3:16: Bill.com id bac02AAAAAAAAAAAAAAA is mapped twice: already mapped at ${A}:6:16`
    ])
  })

  it("cutoff that is not a calendar date", async () => {
    const dir = repo({ [P]: edit(BASE[P], "cutoff: 2024-01-01", "cutoff: 2025-02-30") })
    expect(await problemsOf(dir)).toEqual([
      `${P}:11:9: cutoff: "2025-02-30" is not a calendar date (yyyy-MM-dd, a day that exists)`
    ])
  })

  it("2024-02-29 is a calendar date (leap year)", async () => {
    expect(await problemsOf(repo({ [P]: edit(BASE[P], "cutoff: 2024-01-01", "cutoff: 2024-02-29") }))).toEqual([])
  })

  it("stages out of order, unknown and duplicated", async () => {
    const stages = (list: string) => repo({ [P]: edit(BASE[P], "[vendors, funding-accounts, accounts, bills]", list) })
    expect(await problemsOf(stages("[vendors, accounts, funding-accounts]"))).toEqual([
      `${P}:13:31: stage funding-accounts is out of order: stages always run as vendors, funding-accounts, accounts, bills, vendor-credits, vendor-payments, items, customers, classifications; leave stages out to disable them, but keep this order`
    ])
    expect(await problemsOf(stages("[vendors, bils]"))).toEqual([
      `${P}:13:21: sync.stages[1]: "bils" is not one of vendors, funding-accounts, accounts, bills, vendor-credits, vendor-payments, items, customers, classifications`
    ])
    expect(await problemsOf(stages("[vendors, vendors]"))).toEqual([`${P}:13:11: sync.stages: a stage is listed twice`])
    expect(await problemsOf(stages("[bills]"))).toEqual([])
  })

  it("credentials must be environment variable names, and secrets are never echoed", async () => {
    const withUser = (value: string) =>
      problemsOf(repo({ [P]: edit(BASE[P], "username: BILLCOM_USERNAME", `username: ${value}`) }))
    const secretAdvice =
      "this looks like a secret value, not an environment variable name: never write secrets in config; put the secret in an environment variable and write that variable's NAME here (e.g. BILLCOM_ACME_PASSWORD)"
    for (const secret of [
      "jane@acme.com",
      "hunter2",
      "s3cr3t pass",
      "Tr0ub4dor&3",
      "01ABCDEF2345678901AB",
      "AbCdEfGhIjKlMnOp"
    ]) {
      const problems = await withUser(secret)
      expect(problems).toEqual([`${P}:9:15: billcom.credentials.username: ${secretAdvice}`])
      expect(problems.join("\n")).not.toContain(secret)
    }
    expect(await withUser("billcom_user")).toEqual([
      `${P}:9:15: billcom.credentials.username: "billcom_user" is not an environment variable name (uppercase letters, digits and _, not starting with a digit, e.g. BILLCOM_ACME_USERNAME)`
    ])
    const numeric = await withUser("123456")
    expect(numeric).toEqual([
      `${P}:9:15: billcom.credentials.username: must be the NAME of an environment variable (e.g. BILLCOM_ACME_PASSWORD); put the secret itself in that variable`
    ])
    expect(await withUser("BILLCOM_ACME_US_USERNAME_2")).toEqual([])
  })

  it("Bill.com id prefixes must fit the kind", async () => {
    const dir = repo({ [V]: edit(BASE[V], "billcomId: 00902AAAAAAAAAAAAAAA", "billcomId: 0ca02AAAAAAAAAAAAAAA") })
    expect(await problemsOf(dir)).toEqual([
      `${V}:3:16: vendors[0].billcomId: "0ca02AAAAAAAAAAAAAAA" is not a Bill.com vendor id: vendor ids start with 009, this one starts with 0ca`
    ])
    const short = repo({ [V]: edit(BASE[V], "billcomId: 00902AAAAAAAAAAAAAAA", "billcomId: 00902AAA") })
    expect(await problemsOf(short)).toEqual([
      `${V}:3:16: vendors[0].billcomId: "00902AAA" is not a Bill.com vendor id (20 characters: 009 followed by 17 letters or digits, e.g. 00902BILKFECNEV2oji1)`
    ])
  })

  it("every classification kind checks its own prefix", async () => {
    const kinds = [
      ["departments", "0de"],
      ["jobs", "job"],
      ["locations", "loc"],
      ["accountingClasses", "cls"],
      ["employees", "emp"]
    ] as const
    const file = "mappings/co/classifications.yaml"
    const good = [
      "# yaml-language-server: $schema=../../schemas/classifications.schema.json",
      ...kinds.map(([k, p]) => `${k}: [{ billcomId: ${p}02AAAAAAAAAAAAAAA, ledgerValue: X }]`),
      ""
    ].join("\n")
    expect(await problemsOf(repo({ [file]: good }))).toEqual([])
    // Rotate the prefixes: every kind gets its neighbour's prefix.
    const bad = [
      "# yaml-language-server: $schema=../../schemas/classifications.schema.json",
      ...kinds.map(
        ([k], i) => `${k}: [{ billcomId: ${kinds[(i + 1) % kinds.length]![1]}02AAAAAAAAAAAAAAA, ledgerValue: X }]`
      ),
      ""
    ].join("\n")
    const problems = await problemsOf(repo({ [file]: bad }))
    expect(problems.map((p) => p.split(": ")[0])).toEqual(
      kinds.map((_, i) => `${file}:${i + 2}:${kinds[i]![0].length + 17}`)
    )
    expect(problems[0]).toContain("department ids start with 0de, this one starts with job")
  })

  it("unknown keys suggest the closest allowed key", async () => {
    const dir = repo({ [P]: edit(BASE[P], "sync:\n", "sync:\n  concurency: 2\n") })
    expect(await problemsOf(dir)).toEqual([`${P}:13:3: unknown key "concurency" in sync: did you mean "concurrency"?`])
  })

  it("an unquoted account number gets a hint", async () => {
    const dir = repo({ [A]: edit(BASE[A], 'number: "6000"', "number: 6000") })
    expect(await problemsOf(dir)).toContain(
      `${A}:9:13: accounts[2].number: expected string, found 6000 (YAML read 6000 as a number; quote it: "6000")`
    )
  })

  it("numeric limits follow Bill.com's", async () => {
    const dir = repo({ [P]: edit(BASE[P], "sync:\n", "sync:\n  pageSize: 500\n  concurrency: 4\n") })
    expect(await problemsOf(dir)).toEqual([
      `${P}:13:13: sync.pageSize: 500 is out of range: 1–100 (Bill.com returns at most 100 records a page)`,
      `${P}:14:16: sync.concurrency: 4 is out of range: 1–3 (Bill.com allows 3 requests in flight per devKey and organization)`
    ])
  })

  it("the modeline must be present and point at the right schema", async () => {
    const missing = repo({ [V]: BASE[V]!.split("\n").slice(1).join("\n") })
    expect(await problemsOf(missing)).toEqual([
      `${V}:1:1: missing schema modeline: start the file with # yaml-language-server: $schema=../../schemas/vendors.schema.json`
    ])
    const wrong = repo({ [V]: edit(BASE[V], "vendors.schema.json", "items.schema.json") })
    expect(await problemsOf(wrong)).toEqual([
      `${V}:1:33: the schema modeline points to ../../schemas/items.schema.json, but this file needs vendors.schema.json: use # yaml-language-server: $schema=../../schemas/vendors.schema.json`
    ])
  })

  it("name must match the file, schedule must be valid cron, emulator settings only for the emulator", async () => {
    let text = edit(BASE[P], "name: p", "name: q")
    text = edit(text, 'schedule: "0 */4 * * *"', 'schedule: "0 24 * * *"')
    text = edit(text, "  credentials:", "  emulator: { seed: demo }\n  credentials:")
    expect(await problemsOf(repo({ [P]: text }))).toEqual([
      `${P}:3:7: name "q" must match the file name (p), so \`billsync sync p\` finds this pipeline`,
      `${P}:8:3: billcom.emulator only applies to environment emulator (this pipeline uses sandbox)`,
      `${P}:18:11: schedule: hour field "24" is out of range (0–23)`
    ])
  })

  it("schedule: GitHub's 5-minute minimum interval and its cron subset", async () => {
    const withSchedule = (cron: string) =>
      problemsOf(repo({ [P]: edit(BASE[P], 'schedule: "0 */4 * * *"', `schedule: "${cron}"`) }))
    const tooOften = (n: number) => [
      `${P}:17:11: schedule: runs ${n} minute(s) apart, but GitHub Actions runs a schedule at most every 5 minutes (e.g. "*/5 * * * *" or slower)`
    ]
    expect(await withSchedule("*/3 * * * *")).toEqual(tooOften(3))
    expect(await withSchedule("* * * * *")).toEqual(tooOften(1))
    // Two minutes apart only across an hour boundary (12:58, 13:00), and across midnight (Monday 23:58, Tuesday 00:00).
    expect(await withSchedule("0,58 12,13 * * *")).toEqual(tooOften(2))
    expect(await withSchedule("0,58 0,23 * * MON,TUE")).toEqual(tooOften(2))
    // …but Monday 23:58 and Wednesday 00:00 are two days apart.
    expect(await withSchedule("0,58 0,23 * * MON,WED")).toEqual([])
    for (const ok of ["*/5 * * * *", "7 */4 * * *", "30 2 * * 1-5", "0 0 * JAN-MAR SUN"])
      expect(await withSchedule(ok), ok).toEqual([])
    // Extensions GitHub does not run (last day of the month, nth weekday).
    expect(await withSchedule("0 0 L * *")).toEqual([
      `${P}:17:11: schedule: day of month field "L" is not cron syntax GitHub Actions accepts (numbers, *, ",", "-" and "/")`
    ])
    expect(await withSchedule("0 0 * * 5#2")).toEqual([
      `${P}:17:11: schedule: day of week field "5#2" is not cron syntax GitHub Actions accepts (numbers, three-letter names, *, ",", "-" and "/")`
    ])
  })

  it("mappings folder problems: missing folder, missing accounts.yaml, unknown file names", async () => {
    const noFolder = repo({ [A]: null, [F]: null, [V]: null })
    expect(await problemsOf(noFolder)).toEqual([
      `${P}:4:10: mappings folder mappings/co does not exist (the default is mappings/<company>; set mappings: to use another folder)`
    ])
    const noAccounts = repo({ [A]: null })
    expect(await problemsOf(noAccounts)).toEqual([
      `${P}:4:10: mappings/co/accounts.yaml is missing: every mappings folder needs the ledger chart of accounts`
    ])
    const typo = repo({ "mappings/co/vendor.yaml": "vendors: []\n" })
    expect(await problemsOf(typo)).toEqual([
      "mappings/co/vendor.yaml:1:1: unknown mapping file vendor.yaml: a mappings folder holds accounts.yaml, vendors.yaml, funding-accounts.yaml, items.yaml, customers.yaml, classifications.yaml"
    ])
  })

  it("a mappings folder outside the repository is refused (it is neither reviewed nor versioned with the pipeline)", async () => {
    const outer = repo(
      Object.fromEntries([
        // Otherwise a valid folder: its modelines point at the repository's schemas.
        ...Object.entries(BASE).map(([path, text]) =>
          path.startsWith("mappings/co/")
            ? [
                path.replace("mappings/co/", "elsewhere/"),
                text.replace("$schema=../../schemas/", "$schema=../repo/schemas/")
              ]
            : [`repo/${path}`, text]
        ),
        [`repo/${P}`, edit(BASE[P], "company: co", "company: co\nmappings: ../elsewhere")]
      ]),
      {}
    )
    const problems = await problemsOf(`${outer}/repo`)
    expect(problems).toEqual([
      `${P}:5:11: mappings: ../elsewhere is outside the repository (${outer}/elsewhere): mapping files must live in the repository, where they are reviewed and versioned with the pipeline; move the folder under it (e.g. mappings/co) and point mappings: there`
    ])
  })

  it("an unused mappings folder is still checked, and one company has one pipeline", async () => {
    const dir = repo({
      "mappings/other/vendors.yaml": edit(BASE[V], "ledgerVendor: V-1", "ledgerVendor: 7"),
      "pipelines/p2.yaml": edit(BASE[P], "name: p", "name: p2")
    })
    expect(await problemsOf(dir)).toEqual([
      "mappings/other/accounts.yaml:1:1: missing file: every mappings folder needs accounts.yaml (the ledger chart of accounts)",
      'mappings/other/vendors.yaml:5:19: vendors[0].ledgerVendor: expected string, found 7 (YAML read 7 as a number; quote it: "7")',
      `pipelines/p2.yaml:4:10: company co already has a pipeline (${P}): one integration per ledger company`
    ])
  })

  it("problems in several files are all reported in one run, sorted by file and position", async () => {
    const dir = repo({
      [P]: edit(BASE[P], "cutoff: 2024-01-01", "cutoff: 2024-13-01"),
      [A]: edit(BASE[A], "type: accounts-payable", "type: payable"),
      [F]: edit(BASE[F], 'ledgerAccount: "1000"', 'ledgerAccount: "6100"')
    })
    const problems = await problemsOf(dir)
    expect(problems.map((p) => p.split(": ")[0])).toEqual([`${A}:8:11`, `${F}:4:20`, `${P}:11:9`, `${P}:15:14`])
  })
})
