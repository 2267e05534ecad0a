import { Terminal } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Mailbox, Option } from "effect"
import { approval, type ApprovalSettings } from "../../src/cli/apply.ts"
import type { PendingAction } from "../../src/coa/applier.ts"
import type { CoaPlan } from "../../src/coa/plan-file.ts"

/** A terminal on which a person types `keys` (then Enter), recording what the prompt shows. */
const typing = (keys: string) => {
  const shown: Array<string> = []
  const key = (name: string) => ({ name, ctrl: false, meta: false, shift: false })
  const terminal = Terminal.Terminal.of({
    columns: Effect.succeed(120),
    rows: Effect.succeed(40),
    isTTY: Effect.succeed(true),
    readInput: Effect.gen(function* () {
      const mailbox = yield* Mailbox.make<Terminal.UserInput>()
      for (const ch of keys) yield* mailbox.offer({ input: Option.some(ch), key: key(ch) })
      yield* mailbox.offer({ input: Option.none(), key: key("enter") })
      return mailbox
    }),
    readLine: Effect.succeed(keys),
    display: (text) => Effect.sync(() => void shown.push(text))
  })
  return { terminal, shown: () => shown.join("").replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "") }
}

const ORG = "00802PRODORG0000001"
const plan = (environment: string) =>
  ({
    planId: "p1",
    createdAt: "2026-01-01T00:00:00.000Z",
    pipeline: { name: "acme-us", file: "pipelines/acme-us.yaml", company: "acme-us", organizationId: ORG, environment },
    policy: { sourceOfTruth: "ledger", allowArchive: false, createParents: true },
    actions: [],
    held: [],
    ledgerDiffs: [],
    warnings: [],
    problems: [],
    summary: {
      create: 1,
      update: 0,
      restore: 0,
      archive: 0,
      wouldArchive: 0,
      ledgerDiffs: 0,
      possibleDuplicates: 0,
      warnings: 0
    }
  }) as unknown as CoaPlan
const pending: ReadonlyArray<PendingAction> = [
  {
    index: 0,
    action: {
      _tag: "create",
      account: "6150",
      after: { name: "Cloud Hosting", number: "6150", type: "EXPENSE" },
      asParent: false,
      similar: []
    }
  }
]
const interactive = (environment: string, confirm?: string): ApprovalSettings => ({
  auto: false,
  confirm,
  environment,
  interactive: true
})

const ask = (environment: string, keys: string, confirm?: string) => {
  const t = typing(keys)
  return approval(
    plan(environment),
    interactive(environment, confirm),
    t.terminal
  )(pending).pipe(
    Effect.either,
    Effect.map((answer) => ({ answer, shown: t.shown() })),
    Effect.provide(NodeContext.layer)
  )
}

describe("apply coa's approval prompt", () => {
  it.effect("production: the prompt names the environment and the organization, and only its typed id approves", () =>
    Effect.gen(function* () {
      const right = yield* ask("production", ORG)
      expect(right.answer).toEqual(Either.right(true))
      expect(right.shown).toContain(
        `Apply 1 change(s) to Bill.com PRODUCTION organization ${ORG} (pipeline acme-us)? Type the organization id to confirm`
      )
      // "y" is not enough for production, nor is a different organization's id.
      expect((yield* ask("production", "y")).answer).toEqual(Either.right(false))
      expect((yield* ask("production", "00802SANDBOX0000001")).answer).toEqual(Either.right(false))
    })
  )

  it.effect("sandbox: a y/N question that names the environment", () =>
    Effect.gen(function* () {
      const yes = yield* ask("sandbox", "y")
      expect(yes.answer).toEqual(Either.right(true))
      expect(yes.shown).toContain(`Apply 1 change(s) to Bill.com sandbox organization ${ORG} (pipeline acme-us)?`)
      expect((yield* ask("sandbox", "n")).answer).toEqual(Either.right(false))
    })
  )

  it.effect("a --confirm for another organization is refused before anything is asked", () =>
    Effect.gen(function* () {
      const wrong = yield* ask("sandbox", "y", "00802SOMEOTHERORG001")
      expect(Either.isLeft(wrong.answer) && wrong.answer.left.message).toContain(
        `--confirm 00802SOMEOTHERORG001 does not match the organization this plan changes (${ORG}, sandbox)`
      )
      expect(wrong.shown).toBe("")
    })
  )
})
