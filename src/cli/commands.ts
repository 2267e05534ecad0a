import type { CliApp, Command } from "@effect/cli"
import { applyCommand } from "./apply.ts"
import { connectCommand } from "./connect.ts"
import { demoCommand } from "./demo.ts"
import { emulatorCommand } from "./emulator.ts"
import { errorsCommand } from "./errors.ts"
import { freshnessCommand } from "./freshness.ts"
import { mappingsCommand } from "./mappings.ts"
import { planCommand } from "./plan.ts"
import { reportCommand } from "./report.ts"
import { statusCommand } from "./status.ts"
import { syncCommand } from "./sync.ts"
import { validateCommand } from "./validate.ts"

/**
 * Every `billsync` subcommand, in the order `--help` lists them (the order a team meets them:
 * validate → connect → status → sync → errors → report → mappings → plan/apply; then the tools).
 * A command provides its own layers (database, Bill.com client, emulator) inside its handler, so
 * it needs nothing from main beyond the CLI environment (FileSystem, Path, Terminal).
 */
export type BillsyncCommand = Command.Command<string, CliApp.CliApp.Environment, unknown, unknown>

export const commands = [
  validateCommand,
  connectCommand,
  statusCommand,
  syncCommand,
  errorsCommand,
  freshnessCommand,
  reportCommand,
  mappingsCommand,
  planCommand,
  applyCommand,
  emulatorCommand,
  demoCommand
] as unknown as readonly [BillsyncCommand, ...Array<BillsyncCommand>]
