// Opens, reopens, refreshes or closes the one GitHub issue of an alert subject, on a change of state
// only (see src/ci/alerts.ts). Used by the generated sync.yml and freshness.yml; needs `gh` and
// GH_TOKEN with issues: write.
// Usage: node --import tsx scripts/alert.ts --subject "sync demo" --outcome success|failure [--details FILE]
//   --details: text (e.g. the failing step's output) put in the issue; billsync never prints secrets,
//   and GitHub masks secret values in anything a workflow writes.
import { execFileSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { alertAction, alertTitle, type KnownIssue, type Outcome } from "../src/ci/alerts.ts"

const { values } = parseArgs({
  options: { subject: { type: "string" }, outcome: { type: "string" }, details: { type: "string" } }
})
const subject = values.subject ?? ""
const outcome = values.outcome
if (subject === "" || (outcome !== "success" && outcome !== "failure")) {
  process.stderr.write("usage: scripts/alert.ts --subject TEXT --outcome success|failure [--details FILE]\n")
  process.exit(64)
}

const gh = (args: ReadonlyArray<string>, input?: string): string =>
  execFileSync("gh", [...args], { encoding: "utf8", input, stdio: ["pipe", "pipe", "inherit"] })

const title = alertTitle(subject)
const found = JSON.parse(
  gh([
    "issue",
    "list",
    "--state",
    "all",
    "--search",
    `"${title}" in:title`,
    "--json",
    "number,state,title",
    "--limit",
    "50"
  ])
) as Array<KnownIssue & { title: string }>
const issues = found.filter((i) => i.title === title).sort((a, b) => b.number - a.number)

const server = process.env["GITHUB_SERVER_URL"] ?? "https://github.com"
const run =
  process.env["GITHUB_RUN_ID"] !== undefined
    ? `${server}/${process.env["GITHUB_REPOSITORY"]}/actions/runs/${process.env["GITHUB_RUN_ID"]}`
    : "(no run URL)"
const details =
  values.details !== undefined && existsSync(values.details) ? readFileSync(values.details, "utf8").slice(-6000) : ""
const failure = [
  `**${subject}** failed in ${run} (${new Date().toISOString().slice(0, 16)} UTC).`,
  ...(details.trim() !== "" ? ["", "```", details.trimEnd(), "```"] : []),
  "",
  "This issue is closed automatically when it succeeds again; until then later failures only update this text."
].join("\n")

const action = alertAction(outcome as Outcome, issues)
switch (action._tag) {
  case "open":
    gh(["issue", "create", "--title", title, "--body-file", "-"], failure)
    break
  case "reopen":
    gh(["issue", "reopen", String(action.number)])
    gh(["issue", "comment", String(action.number), "--body-file", "-"], failure)
    break
  case "close":
    gh(["issue", "close", String(action.number), "--comment", `**${subject}** succeeded again in ${run}.`])
    break
  case "none":
    if (action.refresh !== undefined) gh(["issue", "edit", String(action.refresh), "--body-file", "-"], failure)
    break
}
process.stdout.write(`${subject}: ${outcome}; issue action: ${action._tag}\n`)
