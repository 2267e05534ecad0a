import { Schema } from "effect"
import { BillcomId, EnvVarName } from "./ids.ts"
import { StageNames } from "./stages.ts"

/**
 * The typed pipeline (`pipelines/<name>.yaml`, docs/design.md "YAML formats"). This effect/Schema
 * is the single source of truth: schemas/pipeline.schema.json is generated from it, and every
 * annotation here (description, examples, default) shows up in editors and docs/config-reference.md.
 */

const isCalendarDate = (s: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (m === null) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]
  return days !== undefined && d >= 1 && d <= days
}

/** `yyyy-MM-dd` that names a real day (2025-02-30 does not); JSON Schema `format: date` checks the same. */
export const CalendarDate = Schema.String.pipe(
  Schema.filter(isCalendarDate, {
    message: (issue) => `${JSON.stringify(issue.actual)} is not a calendar date (yyyy-MM-dd, a day that exists)`,
    jsonSchema: { format: "date" }
  })
)

const Int = (min: number, max: number, message: string) =>
  Schema.Number.pipe(
    Schema.int({ message: (issue) => `${JSON.stringify(issue.actual)} is not a whole number` }),
    Schema.between(min, max, { message: (issue) => `${JSON.stringify(issue.actual)} is out of range: ${message}` })
  )

/** An optional key with a default; the default is also written into the JSON Schema for editors. */
const withDefault = <S extends Schema.Schema.Any>(schema: S, value: Schema.Schema.Type<S>) =>
  Schema.optionalWith(schema, { default: () => value, exact: true }).annotations({ default: value })

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

const Slug = (description: string, example: string) =>
  Schema.String.pipe(
    Schema.pattern(/^[a-z0-9][a-z0-9_-]*$/, {
      message: (issue) => `${JSON.stringify(issue.actual)} must be lowercase letters, digits, - and _ (e.g. ${example})`
    })
  ).annotations({ description, examples: [example] })

const HttpUrl = (description: string, example: string) =>
  Schema.String.pipe(
    Schema.pattern(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, {
      message: (issue) =>
        `${JSON.stringify(issue.actual)} is not an http(s) URL without query or fragment (e.g. ${example})`
    })
  ).annotations({ description, examples: [example] })

export const Environment = Schema.Literal("sandbox", "production", "emulator").annotations({
  description:
    "Which Bill.com to talk to: sandbox (gateway.stage.bill.com), production (gateway.prod.bill.com) or emulator (billsync's built-in Bill.com emulator)."
})
export type Environment = typeof Environment.Type

export const Credentials = Schema.Struct({
  devKey: optional(
    EnvVarName(
      "NAME of the environment variable holding the Bill.com developer key. Optional: when left out, BILLCOM_DEFAULT_DEV_KEY (the deployment's default key) is used.",
      "BILLCOM_ACME_DEV_KEY"
    )
  ),
  username: EnvVarName(
    "NAME of the environment variable holding the Bill.com API user name (the sync token name).",
    "BILLCOM_ACME_USERNAME"
  ),
  password: EnvVarName(
    "NAME of the environment variable holding the Bill.com API password (the sync token value).",
    "BILLCOM_ACME_PASSWORD"
  )
}).annotations({
  description: "NAMES of the environment variables that hold the secrets, never the secrets themselves."
})

export const EmulatorSettings = Schema.Struct({
  seed: withDefault(
    Schema.String.pipe(Schema.minLength(1)).annotations({
      description:
        "Seed of the generated organization. `demo` is the fixed demo organization whose links live in mappings/demo.",
      examples: ["demo"]
    }),
    "demo"
  ),
  cursorMode: withDefault(
    Schema.Literal("live", "snapshot").annotations({
      description:
        "What the emulator's list `page` cursor pages: live (every page re-evaluates the query, so a record changed during a read jumps to the end and the rest shift by one) or snapshot (the ids taken at page 1). Bill.com does not document which it does; billsync must be correct under both.",
      examples: ["live"]
    }),
    "live"
  )
}).annotations({
  description: "In-process emulator settings, used when environment is emulator and no baseUrl is given."
})

export const Billcom = Schema.Struct({
  environment: Environment,
  baseUrl: optional(
    HttpUrl(
      "Overrides the v3 base URL (everything before /v3/...), e.g. a running `billsync emulator`.",
      "http://127.0.0.1:4010/connect"
    )
  ),
  v2BaseUrl: optional(
    HttpUrl("Overrides the legacy v2 base URL (everything before /Login.json).", "http://127.0.0.1:4010/api/v2")
  ),
  emulator: optional(EmulatorSettings),
  organizationId: BillcomId(
    "organization",
    "The Bill.com organization id used to log in (008…, shown in Bill.com under Settings → Sync & Integrations)."
  ),
  credentials: Credentials.annotations({
    description: "NAMES of the environment variables that hold the secrets, never the secrets themselves."
  })
}).annotations({ description: "Which Bill.com organization to sync and how to reach it." })

const RetrySettings = Schema.Struct({
  attempts: withDefault(
    Int(0, 20, "0–20 retries").annotations({
      description: "Retries of a failed request (429, 5xx, network) before the record or stage fails.",
      examples: [6]
    }),
    6
  ),
  baseDelayMs: withDefault(
    Int(1, 60_000, "1–60000 ms").annotations({
      description: "First backoff delay in milliseconds; it doubles (with jitter) on each retry.",
      examples: [500]
    }),
    500
  ),
  maxDelayMs: withDefault(
    Int(1, 3_600_000, "1–3600000 ms").annotations({
      description: "Upper bound of one backoff delay in milliseconds.",
      examples: [60_000]
    }),
    60_000
  )
}).annotations({ description: "Retry policy for transient Bill.com failures (exponential backoff with jitter)." })

const ReauthSettings = Schema.Struct({
  maxPerRun: withDefault(
    Int(0, 50, "0–50 logins").annotations({
      description: "Most re-logins after an expired session (BDC_1109) in one run; beyond it the run fails.",
      examples: [3]
    }),
    3
  ),
  idleRefreshMinutes: withDefault(
    Int(1, 34, "1–34 minutes (Bill.com sessions expire after 35 idle minutes)").annotations({
      description:
        "Log in again before a call when the session has been idle this long (sessions expire after 35 idle minutes).",
      examples: [30]
    }),
    30
  )
}).annotations({ description: "Session re-authentication policy." })

const DocumentsSettings = Schema.Struct({
  enabled: withDefault(
    Schema.Boolean.annotations({
      description:
        "Whether to read the documents metadata (attachments: name, pages, scan status) of imported bills. false makes no document calls at all.",
      examples: [true]
    }),
    true
  ),
  maxPerRun: withDefault(
    Schema.Number.pipe(
      Schema.int({ message: (issue) => `${JSON.stringify(issue.actual)} is not a whole number` }),
      Schema.greaterThanOrEqualTo(0, {
        message: (issue) => `${JSON.stringify(issue.actual)} is out of range: 0 or more document reads`
      })
    ).annotations({
      description:
        "Most bill document reads (one request per bill) in one run, oldest first; the rest stays in the backlog for later runs. Keeps a first sync of many bills from spending the hourly request budget on documents.",
      examples: [500]
    }),
    500
  )
}).annotations({ description: "Reading bill documents metadata, in a budgeted step after the bills are written." })

const StageName = Schema.Literal(...StageNames).annotations({ description: "A sync stage." })

export const SyncSettings = Schema.Struct({
  stages: withDefault(
    Schema.Array(StageName)
      .pipe(
        Schema.filter((a) => new Set(a).size === a.length, {
          message: () => "a stage is listed twice",
          jsonSchema: { uniqueItems: true }
        })
      )
      .annotations({
        description:
          "Enabled stages, in the fixed order vendors, funding-accounts, accounts, bills, vendor-credits, vendor-payments, items, customers, classifications. Leave a stage out to disable it; never reorder.",
        examples: [[...StageNames]]
      }),
    [...StageNames]
  ),
  pageSize: withDefault(
    Int(1, 100, "1–100 (Bill.com returns at most 100 records a page)").annotations({
      description: "Records per list page (Bill.com maximum 100).",
      examples: [100]
    }),
    100
  ),
  concurrency: withDefault(
    Int(1, 3, "1–3 (Bill.com allows 3 requests in flight per devKey and organization)").annotations({
      description: "Requests in flight at once (Bill.com allows 3 per devKey and organization).",
      examples: [3]
    }),
    3
  ),
  requestsPerHour: withDefault(
    Int(1, 20_000, "1–20000 (Bill.com allows 20000 requests an hour per devKey)").annotations({
      description:
        "Request budget per hour (Bill.com allows 20000 per devKey, shared by every pipeline using the key).",
      examples: [20_000]
    }),
    20_000
  ),
  maxRequestsPerRun: Schema.optional(
    Int(100, 1_000_000, "100–1000000").annotations({
      description:
        "Most Bill.com requests one sync run may send; the run stops with an error naming this setting when it reaches it, so no server behaviour can drain the developer key's hourly budget. Default: 3× the last completed full run's requests (at least 1000), or 10000 before the first one.",
      examples: [10_000]
    })
  ),
  requestTimeoutMs: withDefault(
    Int(1_000, 600_000, "1000–600000 ms").annotations({
      description: "Timeout of one HTTP request in milliseconds.",
      examples: [30_000]
    }),
    30_000
  ),
  retry: withDefault(RetrySettings, { attempts: 6, baseDelayMs: 500, maxDelayMs: 60_000 }),
  reauth: withDefault(ReauthSettings, { maxPerRun: 3, idleRefreshMinutes: 30 }),
  documents: withDefault(DocumentsSettings, { enabled: true, maxPerRun: 500 })
}).annotations({ description: "What to sync and how hard to push Bill.com." })

const AccountNumber = (description: string, example: string) =>
  Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" })).annotations({
    description,
    examples: [example]
  })

export const ClosedPeriodPolicy = Schema.Literal("next-open-period", "error").annotations({
  description:
    "What a change in Bill.com to a record whose posting lies in a closed period does: next-open-period posts its reversal and new posting on the first open day (and reports list it as a late posting); error posts nothing and records an integration error for the record."
})
export type ClosedPeriodPolicy = typeof ClosedPeriodPolicy.Type

export const LedgerSettings = Schema.Struct({
  apAccount: AccountNumber(
    "Number of the accounts-payable control account in accounts.yaml; bills and credits post against it.",
    "2000"
  ),
  currency: withDefault(
    Schema.String.pipe(
      Schema.pattern(/^[A-Z]{3}$/, {
        message: (issue) => `${JSON.stringify(issue.actual)} is not an ISO 4217 currency code (e.g. USD, GBP)`
      })
    ).annotations({
      description:
        "Functional currency of the ledger (ISO 4217): every journal line is in it. A transaction in another currency posts at Bill.com's exchange rate for that transaction (Bill.com's rates convert into USD, so a non-USD ledger can only hold transactions in its own currency).",
      examples: ["USD", "GBP"]
    }),
    "USD"
  ),
  openingBalanceAccount: optional(
    AccountNumber(
      "Number of an equity account in accounts.yaml: bills dated before the cutoff that are still open at the cutoff come in as opening items dated the cutoff, credited to AP against this account (vendor credits with an unapplied balance at the cutoff likewise). Required when `cutoff` is set.",
      "3900"
    )
  ),
  fxGainLossAccount: optional(
    AccountNumber(
      "Number of an income or expense account (income, other-income, expense, other-expense) in accounts.yaml that takes realised foreign-exchange gains and losses: the difference when a foreign-currency bill is paid (or credited) at another rate than it was booked at. Needed as soon as a vendor bills in a currency other than ledger.currency.",
      "7900"
    )
  ),
  walletAccount: optional(
    AccountNumber(
      "Number of a bank account in accounts.yaml for payments funded from the BILL wallet (fundingAccount type WALLET, which has no id to map). Without it, a wallet-funded payment is an integration error, never skipped silently.",
      "1050"
    )
  ),
  closedThrough: optional(
    CalendarDate.annotations({
      description:
        "The books are closed through this date (yyyy-MM-dd): no journal entry is ever dated on or before it (the database refuses one). A change in Bill.com to a record whose posting lies in the closed period follows closedPeriodPolicy.",
      examples: ["2025-12-31"]
    })
  ),
  closedPeriodPolicy: withDefault(ClosedPeriodPolicy, "next-open-period")
}).annotations({ description: "Ledger-side settings." })

export const CoaSettings = Schema.Struct({
  sourceOfTruth: withDefault(
    Schema.Literal("ledger", "billcom").annotations({
      description:
        "Which side owns the chart of accounts: ledger (plans create/update Bill.com rows to match accounts.yaml) or billcom (plans only report differences)."
    }),
    "ledger"
  ),
  allowArchive: withDefault(
    Schema.Boolean.annotations({
      description: "Whether a COA plan may archive Bill.com rows that have no active ledger account."
    }),
    false
  ),
  createParents: withDefault(
    Schema.Boolean.annotations({
      description: "Whether a COA plan may create missing parent accounts in Bill.com before their children."
    }),
    true
  )
}).annotations({ description: "Chart-of-accounts alignment policy (the only writes billsync makes to Bill.com)." })

const Cron = Schema.String.pipe(
  Schema.pattern(/^\s*\S+(\s+\S+){4}\s*$/, {
    message: (issue) =>
      `${JSON.stringify(issue.actual)} is not a 5-field cron expression (minute hour day-of-month month day-of-week)`
  })
).annotations({
  description: "Cron schedule (UTC, 5 fields) of the scheduled sync workflow.",
  examples: ["0 */4 * * *"]
})

export const Pipeline = Schema.Struct({
  version: Schema.Literal(1).annotations({ description: "Format version of this file. Always 1." }),
  name: Slug(
    "Pipeline name, unique in the repository and equal to the file name: `billsync sync demo` reads pipelines/demo.yaml.",
    "acme-us"
  ),
  company: Slug(
    "Ledger company key: the ledger company this integration writes to (one Bill.com organization per company).",
    "acme-us"
  ),
  billcom: Billcom,
  mappings: optional(
    Schema.String.pipe(Schema.minLength(1)).annotations({
      description: "Folder of the mapping files, relative to the repository root. Default: mappings/<company>.",
      examples: ["mappings/acme-us"]
    })
  ),
  cutoff: optional(
    CalendarDate.annotations({
      description:
        "Cutoff date (yyyy-MM-dd): bills, vendor credits and vendor payments dated before it are not posted as transactions; bills (and vendor credits) still open at the cutoff come in as opening items dated the cutoff against ledger.openingBalanceAccount, so later payments settle them. Default: no cutoff.",
      examples: ["2024-01-01"]
    })
  ),
  sync: withDefault(SyncSettings, Schema.decodeSync(SyncSettings)({})),
  ledger: LedgerSettings,
  coa: withDefault(CoaSettings, { sourceOfTruth: "ledger", allowArchive: false, createParents: true }),
  schedule: optional(Cron)
}).annotations({
  title: "billsync pipeline",
  description: "One integration between a ledger company and a Bill.com organization (pipelines/<name>.yaml)."
})

export type Pipeline = typeof Pipeline.Type
export type PipelineInput = typeof Pipeline.Encoded
