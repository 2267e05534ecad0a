import { Argument, Command, InvalidArgumentError, Option } from "commander"
import type { Effect } from "effect"
import type { CliEnvironment } from "./runtime.ts"
import type { ExitCode } from "./exit.ts"
import type {
  ApplyOptions,
  ClusterPlanOptions,
  ClusterStatusOptions,
  ConnectOptions,
  EnqueueOptions,
  WorkerOptions,
  EmulatorCliOptions,
  ErrorsOptions,
  FreshnessOptions,
  PlanOptions,
  ReportOptions,
  StatusOptions,
  SuggestOptions,
  SyncOptions,
  ValidateOptions
} from "./options.ts"
import { REPORTS } from "./options.ts"
import { closest } from "./suggest.ts"

/**
 * Every `billsync` command, its arguments, options, defaults and examples — and nothing else.
 * This module loads only `commander` (tens of milliseconds), so `billsync --help`, usage errors and
 * "did you mean" answer before any Effect, database or Bill.com code is loaded; a command's module
 * (src/cli/<command>.ts, which exports `run(options)`) is imported only when that command runs.
 *
 * Adding an option: declare it here (with its default, so --help shows it) and read it from the
 * options object the command's `run` receives (commander camel-cases `--full-refresh` → fullRefresh).
 */

/** The stage names, repeated here so `--help` does not load the sync code (a test keeps them equal to stageOrder). */
export const STAGES = [
  "vendors",
  "funding-accounts",
  "accounts",
  "bills",
  "vendor-credits",
  "vendor-payments",
  "items",
  "customers",
  "classifications"
] as const

type Runnable<O> = { readonly run: (options: O) => Effect.Effect<void, ExitCode, CliEnvironment> }

/** Runs a command's module (imported now, not before) with the parsed options. */
const launch =
  <O>(load: () => Promise<Runnable<O>>) =>
  async (options: O): Promise<void> => {
    const [runtime, command] = await Promise.all([import("./runtime.ts"), load()])
    await runtime.runCommand(command.run(options))
  }

const integer =
  (name: string, min: number) =>
  (text: string): number => {
    const n = Number(text)
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n))
      throw new InvalidArgumentError(`${name} must be a whole number, got ${JSON.stringify(text)}.`)
    if (n < min) throw new InvalidArgumentError(`${name} must be at least ${min}, got ${n}.`)
    return n
  }

/** A fixed set of words for an argument, with "did you mean" for a near miss. */
const oneOf =
  (what: string, words: ReadonlyArray<string>) =>
  (text: string): string => {
    if (words.includes(text)) return text
    const near = closest(text, words)
    throw new InvalidArgumentError(
      `${JSON.stringify(text)} is not a ${what}${near ? ` — did you mean ${near}?` : ""} (one of: ${words.join(", ")})`
    )
  }

/** A comma-separated list of stages, each checked (with "did you mean"). */
const stageList = (text: string): Array<string> => {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
  if (names.length === 0) throw new InvalidArgumentError(`give at least one stage (one of: ${STAGES.join(", ")})`)
  for (const name of names) oneOf("stage", STAGES)(name)
  return names
}

const examples = (rows: ReadonlyArray<readonly [string, string]>): string => {
  const width = Math.max(...rows.map(([cmd]) => cmd.length))
  return `\nExamples:\n${rows.map(([cmd, what]) => `  ${cmd.padEnd(width)}  # ${what}`).join("\n")}\n`
}

const pipelineArg = () => new Argument("<pipeline>", "pipeline name (pipelines/<name>.yaml) or path to a pipeline file")
const jsonOption = (what = "print the result as JSON") => new Option("--json", what)
const newLedgerOption = () =>
  new Option(
    "--new-ledger",
    "the embedded database that held this ledger is gone (deleted or moved): create a new, empty one instead of refusing"
  )
const ephemeralOption = () =>
  new Option(
    "--ephemeral",
    "allow the embedded database in CI (CI=true / GITHUB_ACTIONS=true), knowing it is discarded with the runner"
  )

const validate = () =>
  new Command("validate")
    .summary("check pipelines and mappings (schema and cross-file rules)")
    .description(
      "Check pipelines and mappings: JSON Schema, cross-file rules; every problem at once as file:line:col: message.\nExit 0 clean, 1 problems found, 64 usage error (e.g. a path that does not exist)."
    )
    .argument(
      "[paths...]",
      "pipeline files, mapping files or mapping folders (default: pipelines/*.yaml with their mappings, and every mappings/*/ folder)"
    )
    .addOption(
      new Option(
        "--format <format>",
        "text: file:line:col: message; github: ::error annotations for pull requests; json: one JSON document"
      )
        .choices(["text", "github", "json"])
        .default("text")
    )
    .addHelpText(
      "after",
      examples([
        ["billsync validate", "every pipeline and mapping folder of the repository"],
        ["billsync validate pipelines/acme-us.yaml", "one pipeline and its mappings"],
        ["billsync validate --format github", "annotations for a pull request's diff"]
      ])
    )
    .action((paths: Array<string>, o: { format: ValidateOptions["format"] }) =>
      launch<ValidateOptions>(() => import("./validate.ts"))({ paths, format: o.format })
    )

const connect = () =>
  new Command("connect")
    .summary("log in to Bill.com and mark the integration connected")
    .description(
      "Log in to Bill.com, check the session and mark the integration connected (pending → connected, or error with Bill.com's message and advice).\nThe first successful connect runs the initial seed (vendors → funding accounts → accounts → items → classifications)."
    )
    .addArgument(pipelineArg())
    .addOption(new Option("--no-seed", "do not run the initial seed after the first successful connect"))
    .addOption(ephemeralOption())
    .addOption(newLedgerOption())
    .addHelpText(
      "after",
      examples([
        ["billsync connect demo", "the demo pipeline against the built-in emulator"],
        ["DATABASE_URL=postgres://… billsync connect acme-us", "a real organisation, the ledger on a Postgres server"]
      ])
    )
    .action((pipeline: string, o: { seed: boolean; ephemeral?: boolean; newLedger?: boolean }) =>
      launch<ConnectOptions>(() => import("./connect.ts"))({
        pipeline,
        seed: o.seed,
        ephemeral: o.ephemeral === true,
        newLedger: o.newLedger === true
      })
    )

const status = () =>
  new Command("status")
    .summary("setup check, last runs and open integration errors")
    .description(
      "Show the setup check (every unmet condition and its fix), the last runs and the open integration errors, from the database only (no Bill.com call).\nExit 1 when setup is not completed, or when the database does not exist yet."
    )
    .addArgument(pipelineArg())
    .addOption(jsonOption("print as JSON"))
    .addHelpText(
      "after",
      examples([
        ["billsync status demo", "after `npm run demo`"],
        ["billsync status acme-us --json", "for a script"]
      ])
    )
    .action((pipeline: string, o: { json?: boolean }) =>
      launch<StatusOptions>(() => import("./status.ts"))({ pipeline, json: o.json === true })
    )

const sync = () =>
  new Command("sync")
    .summary("pull Bill.com into the ledger")
    .description(
      "Sync Bill.com into the ledger: connect if needed, the initial seed on the first run, the setup check, then the full plan.\n" +
        'Exit 0 succeeded (also "succeeded with errors": bad records are counted and listed by `billsync errors`), 1 failed, setup not completed, another sync running, or more new integration errors than --fail-on-new-errors N; 64 usage error.'
    )
    .addArgument(pipelineArg())
    .addOption(
      new Option(
        "--stages <list>",
        `comma-separated subset of: ${STAGES.join(", ")} (default: every stage the pipeline enables)`
      ).argParser(stageList)
    )
    .addOption(new Option("--full-refresh", "re-pull every list from the beginning instead of from the cursors"))
    .addOption(new Option("--dry-run", "pull and evaluate, report what would change, write nothing"))
    .addOption(jsonOption())
    .addOption(new Option("--wait", "wait for a running sync of the same pipeline instead of exiting 1"))
    .addOption(
      new Option(
        "--fail-on-new-errors <n>",
        "exit 1 when this sync records more than N new integration errors (first seen in this sync, still open; 0 = any); for scheduled syncs that must alert"
      ).argParser(integer("--fail-on-new-errors", 0))
    )
    .addOption(ephemeralOption())
    .addOption(newLedgerOption())
    .addHelpText(
      "after",
      examples([
        ["billsync sync demo", "the demo pipeline (emulator) into the embedded database"],
        ["billsync sync acme-us --stages bills,vendor-payments", "only some stages"],
        ["billsync sync acme-us --dry-run --json", "what would change, as JSON"],
        ["billsync sync acme-us --fail-on-new-errors 0", "a scheduled sync: any new integration error fails the job"]
      ])
    )
    .action(
      (
        pipeline: string,
        o: {
          stages?: Array<string>
          fullRefresh?: boolean
          dryRun?: boolean
          json?: boolean
          wait?: boolean
          ephemeral?: boolean
          newLedger?: boolean
          failOnNewErrors?: number
        }
      ) =>
        launch<SyncOptions>(() => import("./sync.ts"))({
          pipeline,
          stages: o.stages,
          fullRefresh: o.fullRefresh === true,
          dryRun: o.dryRun === true,
          json: o.json === true,
          wait: o.wait === true,
          ephemeral: o.ephemeral === true,
          newLedger: o.newLedger === true,
          failOnNewErrors: o.failOnNewErrors
        })
    )

const errors = () =>
  new Command("errors")
    .summary("open integration errors and how to resolve them")
    .description(
      "List the open integration errors (one per record that did not import) with symptom, cause and resolution. Exit 0 whatever the count; 1 when the database does not exist yet."
    )
    .addArgument(pipelineArg())
    .addOption(jsonOption("print as JSON"))
    .addOption(
      new Option("--stage <stage>", `only this stage (${STAGES.join(", ")})`).argParser(oneOf("stage", STAGES))
    )
    .addHelpText(
      "after",
      examples([
        ["billsync errors demo", "after `npm run demo`"],
        ["billsync errors acme-us --stage bills --json", "the bills stage's, as JSON"]
      ])
    )
    .action((pipeline: string, o: { json?: boolean; stage?: string }) =>
      launch<ErrorsOptions>(() => import("./errors.ts"))({ pipeline, json: o.json === true, stage: o.stage })
    )

const freshness = () =>
  new Command("freshness")
    .summary("scheduled pipelines whose last good sync is too old")
    .description(
      "Report scheduled pipelines whose last good sync is older than twice their schedule, or that never synced, from the database only (no Bill.com call; never creates or migrates a database).\nExit 0 all fresh, 1 any stale (so a scheduled workflow fails and alerts) or the database does not exist yet, 64 usage error (an unknown pipeline)."
    )
    .argument(
      "[pipelines...]",
      "pipelines to check (default: every pipelines/*.yaml with a schedule, except environment: emulator)"
    )
    .addOption(jsonOption("print as JSON"))
    .addHelpText(
      "after",
      examples([
        ["billsync freshness", "every scheduled production/sandbox pipeline"],
        ["billsync freshness acme-us --json", "one pipeline, as JSON"]
      ])
    )
    .action((pipelines: Array<string>, o: { json?: boolean }) =>
      launch<FreshnessOptions>(() => import("./freshness.ts"))({ pipelines, json: o.json === true })
    )

const report = () =>
  new Command("report")
    .summary("AP aging, trial balance, sync runs, late postings, 1099")
    .description(
      "Read-only reports from the journal and the run history: text, --json, --format markdown (a GitHub job summary), and --html DIR (a self-contained page).\nAging is computed from the journal (an --as-of in the past shows what the ledger said then), with scheduled payments beside open balances, foreign vendors' balances in their currency, and the tie-out to the AP control account.\nExit 1 when a ledger invariant is violated (printed on stderr), the aging does not tie to AP control, or the database does not exist yet."
    )
    .addArgument(pipelineArg())
    .addArgument(new Argument("<report>", `one of: ${REPORTS.join(", ")}`).argParser(oneOf("report", REPORTS)))
    .addOption(new Option("--as-of <date>", "report date YYYY-MM-DD (default: today, UTC)"))
    .addOption(new Option("--format <format>", "output format").choices(["text", "markdown", "json"]).default("text"))
    .addOption(jsonOption("print as JSON (the same as --format json)").conflicts("format"))
    .addOption(new Option("--html <dir>", "also write a self-contained HTML report to DIR/index.html"))
    .addOption(
      new Option("--limit <n>", "how many recent runs (the runs report and the HTML's run history)")
        .argParser(integer("--limit", 1))
        .default(20)
    )
    .addOption(
      new Option(
        "--buckets <days>",
        "aging bucket boundaries in days past due, ascending (30,60,90 → current, 1–30, 31–60, 61–90, 90+)"
      ).default("30,60,90")
    )
    .addOption(new Option("--year <year>", "calendar year of the 1099 report").argParser(integer("--year", 1900)))
    .addHelpText(
      "after",
      examples([
        ["billsync report demo aging", "AP aging as of today"],
        ["billsync report demo trial-balance --as-of 2025-12-31", "at a period end"],
        ['billsync report demo runs --format markdown >> "$GITHUB_STEP_SUMMARY"', "a job summary"],
        ["billsync report demo aging --html report/", "also write report/index.html"],
        [
          "billsync report demo aging --as-of 2025-12-31 --buckets 15,30,60,90",
          "what the ledger said at a period end, finer buckets"
        ],
        ["billsync report demo late-postings", "entries moved to the first open day by a closed period"],
        ["billsync report demo 1099 --year 2026 --format markdown", "1099 readiness for a calendar year"]
      ])
    )
    .action(
      (
        pipeline: string,
        which: ReportOptions["report"],
        o: {
          asOf?: string
          json?: boolean
          format: ReportOptions["format"]
          html?: string
          limit: number
          buckets: string
          year?: number
        }
      ) =>
        launch<ReportOptions>(() => import("./report.ts"))({
          pipeline,
          report: which,
          asOf: o.asOf,
          json: o.json === true,
          format: o.format,
          html: o.html,
          limit: o.limit,
          buckets: o.buckets,
          year: o.year
        })
    )

const mappings = () =>
  new Command("mappings")
    .summary("mapping-file tools (suggest)")
    .description("Mapping-file tools.")
    .addCommand(
      new Command("suggest")
        .summary("propose links for unmapped Bill.com records")
        .description(
          "Propose links for pulled Bill.com records that no mapping covers and write them into the mapping files (comments and order kept), ready for a pull request.\nThe result is validated like `billsync validate` before it is kept; ambiguous and unmatched records are listed, never guessed."
        )
        .addArgument(pipelineArg())
        .addOption(new Option("--dry-run", "print the unified diff, write nothing"))
        .addOption(
          new Option("--format <format>", "output format of the tables").choices(["text", "markdown"]).default("text")
        )
        .addOption(jsonOption("print the suggestions as JSON").conflicts("format"))
        .addHelpText(
          "after",
          examples([
            ["billsync mappings suggest demo --dry-run", "see the diff first"],
            ["billsync mappings suggest demo", "write the mapping files"]
          ])
        )
        .action((pipeline: string, o: { dryRun?: boolean; json?: boolean; format: SuggestOptions["format"] }) =>
          launch<SuggestOptions>(() => import("./mappings.ts"))({
            pipeline,
            dryRun: o.dryRun === true,
            json: o.json === true,
            format: o.format
          })
        )
    )

const plan = () =>
  new Command("plan")
    .summary("plan changes to Bill.com for review (chart of accounts)")
    .description("Plan changes to Bill.com for review, Terraform-style; `billsync apply` applies a reviewed plan.")
    .addCommand(
      new Command("coa")
        .summary("plan the chart-of-accounts alignment (read-only)")
        .description(
          "Compare the ledger chart (accounts.yaml) with Bill.com's and print the alignment plan; --out writes the plan file `billsync apply coa` takes. Read-only.\nExit 0 ok (with --detailed-exitcode: 0 no changes, 2 changes — and only changes), 1 error or a plan with problems, 64 usage error."
        )
        .addArgument(pipelineArg())
        .addOption(new Option("--out <file>", "write the plan file (the input of `billsync apply coa`)"))
        .addOption(
          new Option("--format <format>", "text: for the terminal; markdown: a PR comment; json: the plan file itself")
            .choices(["text", "markdown", "json"])
            .default("text")
        )
        .addOption(
          new Option(
            "--detailed-exitcode",
            "exit 0 when nothing would change, 2 when something would, 1 on error (usage errors are 64, never 2)"
          )
        )
        .addOption(
          new Option("--max-comment-chars <n>", "markdown budget in characters (GitHub's comment limit is 65535)")
            .argParser(integer("--max-comment-chars", 1000))
            .default(60000)
        )
        .addOption(
          new Option(
            "--full-plan-hint <text>",
            "where the markdown says the full plan is (e.g. a CI artifact; default: the --out file)"
          )
        )
        .addHelpText(
          "after",
          examples([
            ["billsync plan coa acme-us", "print the plan"],
            ["billsync plan coa acme-us --out plan.json", "write the plan file for `billsync apply coa`"],
            [
              "billsync plan coa acme-us --format markdown --detailed-exitcode",
              "a PR comment; exit 2 when there are changes"
            ]
          ])
        )
        .action(
          (
            pipeline: string,
            o: {
              out?: string
              format: PlanOptions["format"]
              detailedExitcode?: boolean
              maxCommentChars: number
              fullPlanHint?: string
            }
          ) =>
            launch<PlanOptions>(() => import("./plan.ts"))({
              pipeline,
              out: o.out,
              format: o.format,
              detailedExitcode: o.detailedExitcode === true,
              maxCommentChars: o.maxCommentChars,
              fullPlanHint: o.fullPlanHint
            })
        )
    )

const apply = () =>
  new Command("apply")
    .summary("apply a reviewed plan to Bill.com")
    .description("Apply a reviewed plan to Bill.com (the only writes billsync makes there).")
    .addCommand(
      new Command("coa")
        .summary("apply a reviewed chart-of-accounts plan")
        .description(
          "Apply a reviewed chart-of-accounts plan to Bill.com. The plan file is checked, not trusted: its recorded inputs (pipeline and mappings at its commit, Bill.com's chart) must re-derive exactly its actions; a stale plan is refused, a partly applied one resumed, an applied one never applied again; in CI a plan from uncommitted mappings is refused. Every action is recorded in the database.\n" +
            "Asks y/N on a terminal, naming the environment; for an `environment: production` pipeline, type the organization id. Without a terminal (CI) it needs --auto-approve, and for production also --confirm <organizationId>.\nExit 0 applied (or nothing to do), 1 refused or failed, 64 usage error."
        )
        .addArgument(new Argument("<plan>", "plan file written by `billsync plan coa --out`"))
        .addOption(new Option("--auto-approve", "apply without asking (required when stdin is not a terminal)"))
        .addOption(
          new Option(
            "--confirm <orgId>",
            "the Bill.com organization id the plan changes; required to apply to a production pipeline without typing it at the prompt"
          )
        )
        .addOption(ephemeralOption())
        .addHelpText(
          "after",
          examples([
            [
              "billsync apply coa plan.json",
              "review the changes and answer y/N (production: type the organization id)"
            ],
            ["billsync apply coa plan.json --auto-approve", "CI, behind a protected environment (sandbox)"],
            [
              "billsync apply coa plan.json --auto-approve --confirm 00802ABCDEFGHIJKLMNO",
              "CI, a production organization"
            ]
          ])
        )
        .action((planFile: string, o: { autoApprove?: boolean; confirm?: string; ephemeral?: boolean }) =>
          launch<ApplyOptions>(() => import("./apply.ts"))({
            planFile,
            autoApprove: o.autoApprove === true,
            confirm: o.confirm,
            ephemeral: o.ephemeral === true
          })
        )
    )

const emulator = () =>
  new Command("emulator")
    .summary("run the built-in Bill.com sandbox emulator")
    .description(
      "Run the built-in Bill.com sandbox emulator (v3 + legacy v2) in the foreground until Ctrl-C, printing its base URLs and credentials (emulator credentials are not secrets)."
    )
    .addOption(
      new Option("--port <port>", "port to listen on (0 = any free port)").argParser(integer("--port", 0)).default(4010)
    )
    .addOption(new Option("--host <host>", "interface to bind").default("127.0.0.1"))
    .addOption(new Option("--seed <seed>", "organisation seed; 'demo' is the fixed demo organisation").default("demo"))
    .addOption(
      new Option("--vendors <n>", "number of vendors to generate (default: the seed's)").argParser(
        integer("--vendors", 0)
      )
    )
    .addOption(
      new Option("--bills <n>", "number of bills to generate (default: the seed's)").argParser(integer("--bills", 0))
    )
    .addOption(
      new Option("--customers <n>", "number of customers to generate (default: the seed's)").argParser(
        integer("--customers", 0)
      )
    )
    .addOption(
      new Option("--items <n>", "number of items to generate (default: the seed's)").argParser(integer("--items", 0))
    )
    .addOption(
      new Option("--latency <ms>", "fixed latency per request in milliseconds (default: none)").argParser(
        integer("--latency", 0)
      )
    )
    .addOption(
      new Option(
        "--faults <profile>",
        "fault profile (none, flaky, chaos, slow, rate-limited) or a JSON fault config (default: none)"
      )
    )
    .addOption(new Option("--strict", "disable the /__emulator control API"))
    .addOption(
      new Option("--session-idle <seconds>", "idle session lifetime in seconds (default: 2100 = 35 minutes)").argParser(
        integer("--session-idle", 1)
      )
    )
    .addOption(new Option("--rate-limit-429", "answer BDC_1144/BDC_1322 with HTTP 429 instead of 422"))
    .addHelpText(
      "after",
      examples([
        ["billsync emulator", "the demo organisation on port 4010"],
        ["billsync emulator --port 0 --bills 20000 --faults flaky", "a large organisation with transient faults"]
      ])
    )
    .action((o: Omit<EmulatorCliOptions, "strict" | "rateLimit429"> & { strict?: boolean; rateLimit429?: boolean }) =>
      launch<EmulatorCliOptions>(() => import("./emulator.ts"))({
        ...o,
        strict: o.strict === true,
        rateLimit429: o.rateLimit429 === true
      })
    )

const demo = () =>
  new Command("demo")
    .summary("a real sync end to end: built-in emulator → embedded Postgres")
    .description(
      "Run a real sync end to end: the built-in Bill.com emulator (demo organisation) → the embedded database (or DATABASE_URL): connect, initial seed, full sync, then what landed.\nThe demo's database is the one `billsync status demo`, `errors demo` and `report demo …` read afterwards; each demo starts it afresh."
    )
    .addHelpText(
      "after",
      examples([
        ["billsync demo", "the same as `npm run demo`"],
        ["billsync demo && billsync errors demo", "then look at what did not import"]
      ])
    )
    .action(() => launch<{}>(() => import("./demo.ts"))({}))

const cluster = () => import("./cluster.ts")

const worker = () =>
  new Command("worker")
    .summary("run syncs as a worker of a cluster (many organisations, one Postgres)")
    .description(
      "A runner of the billsync cluster (Effect's @effect/cluster): it runs the pipelines' schedules and the syncs `billsync enqueue` asks for, at most one sync of a pipeline anywhere at a time. Any number of workers on any number of machines share the ledger's Postgres (DATABASE_URL; the embedded database is refused) for their shard locks, persisted requests and the developer keys' Bill.com budgets. When a worker dies its pipelines move to the others; an interrupted sync resumes from its committed cursors.\nRuns until SIGTERM/SIGINT. Give every worker the same --pipelines."
    )
    .addOption(
      new Option(
        "--pipelines <glob>",
        "the pipelines whose schedules this worker runs (* and ?; default: every pipelines/*.yaml with a schedule, except environment: emulator); enqueued syncs run on any worker"
      )
    )
    .addOption(
      new Option("--port <port>", "port the other workers reach this one on")
        .argParser(integer("--port", 1))
        .default(34431)
    )
    .addOption(
      new Option("--host <host>", "host name or address the other workers reach this one at").default("localhost")
    )
    .addOption(
      new Option("--concurrency <n>", "syncs at once on this worker").argParser(integer("--concurrency", 1)).default(3)
    )
    .addHelpText(
      "after",
      examples([
        ["DATABASE_URL=postgres://… billsync worker", "one worker, every scheduled pipeline"],
        ["billsync worker --host $(hostname) --port 34431 --pipelines 'client-*'", "on each of several machines"],
        ["billsync cluster plan", "first: do the schedules fit the keys' budgets?"]
      ])
    )
    .action((o: { pipelines?: string; port: number; host: string; concurrency: number }) =>
      launch<WorkerOptions>(() => cluster().then((m) => ({ run: m.worker })))({
        pipelines: o.pipelines,
        port: o.port,
        host: o.host,
        concurrency: o.concurrency
      })
    )

const enqueue = () =>
  new Command("enqueue")
    .summary("ask the cluster's workers for a sync of a pipeline now")
    .description(
      "Ask for a sync of a pipeline now: the request is stored in the ledger's Postgres (DATABASE_URL) and run by the worker that holds the pipeline — after the sync it may be running already, never beside it. Workers pick requests up within about 2 seconds; with no worker running the request waits for one (a warning says so). Any worker runs it, whatever its --pipelines."
    )
    .addArgument(pipelineArg())
    .addHelpText(
      "after",
      examples([
        ["billsync enqueue acme-us", "sync acme-us now"],
        ["billsync enqueue acme-us && billsync cluster status", "then watch it"]
      ])
    )
    .action((pipeline: string) =>
      launch<EnqueueOptions>(() => cluster().then((m) => ({ run: m.enqueue })))({ pipeline })
    )

const clusterCommand = () =>
  new Command("cluster")
    .summary("the workers' cluster: status, plan")
    .description("The cluster of `billsync worker` processes.")
    .addCommand(
      new Command("status")
        .summary("runners, shards, and each pipeline's last and next run")
        .description(
          "Runners (address, health, last heartbeat, shards held; a runner silent for 30 s is UNHEALTHY: stopped or killed), each pipeline's state (never synced, queued, running, idle), last run and next scheduled run, and the developer keys' use of this clock hour. Reads the database at DATABASE_URL (one no worker has used yet shows an empty cluster)."
        )
        .addOption(jsonOption("print as JSON"))
        .addHelpText(
          "after",
          examples([
            ["billsync cluster status", "as a table"],
            ["billsync cluster status --json", "for monitoring"]
          ])
        )
        .action((o: { json?: boolean }) =>
          launch<ClusterStatusOptions>(() => cluster().then((m) => ({ run: m.status })))({ json: o.json === true })
        )
    )
    .addCommand(
      new Command("plan")
        .summary("do the schedules fit the developer keys' hourly budgets?")
        .description(
          "Per developer key (the variable that names it, per environment): the logins and requests an hour the pipelines' schedules need in the busiest clock hour, against Bill.com's 200 logins and 20,000 requests per key per hour (lowered by BILLSYNC_KEY_LOGINS_PER_HOUR / BILLSYNC_KEY_REQUESTS_PER_HOUR), and what would fit when they do not. Requests per sync are measured from the runs when DATABASE_URL is set, else assumed.\nExit 0 all fit, 1 some key is over budget."
        )
        .addOption(jsonOption("print as JSON"))
        .addOption(
          new Option("--requests-per-sync <n>", "requests a sync spends, for pipelines without measured runs")
            .argParser(integer("--requests-per-sync", 1))
            .default(150)
        )
        .addHelpText(
          "after",
          examples([
            ["billsync cluster plan", "every scheduled pipeline"],
            ["billsync cluster plan --requests-per-sync 400 --json", "larger organisations, as JSON"]
          ])
        )
        .action((o: { json?: boolean; requestsPerSync: number }) =>
          launch<ClusterPlanOptions>(() => cluster().then((m) => ({ run: m.plan })))({
            json: o.json === true,
            requestsPerSync: o.requestsPerSync
          })
        )
    )

const ROOT_HELP = `
Examples:
  npm run demo                          # emulator → embedded database, no setup
  billsync status demo                  # what the demo left behind
  billsync validate --format github     # the pull-request check
  billsync sync acme-us                 # a scheduled sync
  billsync <command> --help             # a command's options and examples

Environment:
  DATABASE_URL              the ledger database (unset or empty: the embedded database)
  BILLSYNC_EMBEDDED_DIR     where the embedded database lives (default .billsync/db;
                            .billsync/emulator for pipelines with environment: emulator)
  BILLSYNC_LOG_LEVEL=debug  verbose logs on stderr (secrets are redacted)
  BILLSYNC_LOG_FORMAT=json  logs as JSON lines on stderr
  NO_COLOR                  never colour (billsync's output has no colour anyway)

Exit status: 0 ok, 1 problems found or a run failed, 64 usage error (EX_USAGE);
2 only from \`plan coa --detailed-exitcode\`: the plan has changes.
`

/** Settings commander does not pass from a command to the ones added to it: set on every level. */
const configureAll = (command: Command): Command => {
  command
    .helpOption("-h, --help", "show help")
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError(
      "(billsync --help lists the commands; billsync <command> --help shows a command's options and examples)"
    )
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
      // "billsync: unknown command 'snyc'\n(Did you mean sync?)" — then the status is 64 (main.ts).
      outputError: (text, write) => write(`billsync: ${text.replace(/^error: /, "")}`)
    })
  for (const sub of command.commands) configureAll(sub)
  return command
}

/** The whole command tree. Usage errors throw (exitOverride); main maps them to exit status 64 (EX_USAGE). */
export const buildProgram = (version: string): Command =>
  configureAll(
    new Command("billsync")
      .description("Keep a Postgres general ledger aligned with Bill.com, configured as code.")
      .version(version, "-V, --version", "print the version")
      .helpCommand(false)
      .addCommand(validate())
      .addCommand(connect())
      .addCommand(status())
      .addCommand(sync())
      .addCommand(errors())
      .addCommand(freshness())
      .addCommand(report())
      .addCommand(mappings())
      .addCommand(plan())
      .addCommand(apply())
      .addCommand(emulator())
      .addCommand(demo())
      .addCommand(worker())
      .addCommand(enqueue())
      .addCommand(clusterCommand())
      .addHelpText("after", ROOT_HELP)
  )
