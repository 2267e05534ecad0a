import { it } from "@effect/vitest"
import * as TestServices from "effect/TestServices"
import { Effect } from "effect"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { runSync, type RunOptions } from "../../src/sync/runner.ts"
import { seedStages } from "../../src/sync/stages.ts"
import { emulatorWithSource, settingsFor, StoreTest } from "./support/harness.ts"

const plain: RunOptions = { fullRefresh: false, dryRun: false, wait: false }

it.layer(StoreTest, { timeout: "180 seconds" })("setup gate", (it) => {
  it.effect("refuses the full sync and names every unmet condition with its fix; the seed stages still run", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const settings = settingsFor("gate-partial", yield* emu.snapshot(), (s) => ({
        ...s,
        vendors: new Map(),
        chart: s.chart.filter((a) => a.type !== "income" && a.type !== "other-income")
      }))
      const outcome = yield* runSync(settings, plain)
      expect(outcome.runs.map((r) => r.kind)).toEqual(["seed"])
      expect(outcome.runs[0]!.stages.map((s) => s.stage)).toEqual(seedStages)
      expect(outcome.unmet.map((u) => u.condition)).toEqual(["an income account mapped", "vendors mapped"])
      expect(outcome.unmet[0]!.fix).toContain("mappings/gate-partial/accounts.yaml")
      expect(outcome.unmet[1]!.fix).toContain("mappings/gate-partial/vendors.yaml")

      // Setup-incomplete mode on the next attempt: seed stages again, still refused.
      const again = yield* runSync(settings, plain)
      expect(again.runs.map((r) => [r.kind, r.notes[0]])).toEqual([
        ["seed", "setup not completed: seed stages only (setup-incomplete mode)"]
      ])
      expect(again.unmet.map((u) => u.condition)).toEqual(["an income account mapped", "vendors mapped"])

      // Nothing mapped at all: each account role and the chart itself are named.
      const bare = yield* runSync({ ...settings, pipeline: "gate-bare", company: "gate-bare-co", chart: [] }, plain)
      expect(bare.unmet.map((u) => u.condition)).toEqual([
        "chart of accounts mapped",
        "a bank or credit card account mapped",
        "an expense account mapped",
        "an income account mapped",
        "AP control account",
        "vendors mapped"
      ])
      expect(bare.unmet.find((u) => u.condition === "AP control account")!.problem).toContain(
        `ledger.apAccount ${settings.apAccount} is not an account in the chart`
      )
    }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  // The emulator always generates at least 3 vendors, so "no vendors pulled" is reached with the vendors stage disabled.
  it.effect("fails when no Bill.com vendor has been pulled (none exist, or the stage is disabled)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const outcome = yield* runSync(
        settingsFor("gate-novendors", yield* emu.snapshot(), (s) => ({
          ...s,
          stages: s.stages.filter((x) => x !== "vendors")
        })),
        plain
      )
      expect(outcome.unmet.map((u) => u.condition)).toEqual(["vendors pulled and mapped"])
      expect(outcome.unmet[0]!.problem).toContain("Bill.com returned no vendors")
      expect(outcome.unmet[0]!.fix).toContain("create or sync at least one vendor in Bill.com first")
    }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect("a failed login leaves the integration in error and the gate names it with Bill.com's message", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const outcome = yield* runSync(settingsFor("gate-login", yield* emu.snapshot()), plain)
      expect(outcome.runs).toEqual([])
      expect(outcome.integration.status).toBe("error")
      expect(outcome.unmet.map((u) => u.condition)).toEqual([
        "connected",
        "chart of accounts pulled",
        "vendors pulled and mapped"
      ])
      expect(outcome.unmet[0]!.problem).toContain("authentication failed")
    }).pipe(Effect.provide(emulatorWithSource({ seed: "demo" }, true)), TestServices.provideLive)
  )
})
