import type { Command } from "@effect/cli"
import type { CliApp } from "@effect/cli"
import { emulatorCommand } from "./emulator.ts"
import { reportCommand } from "./report.ts"
import { mappingsCommand } from "./mappings.ts"
import { connectCommand } from "./connect.ts"
import { statusCommand } from "./status.ts"
import { syncCommand } from "./sync.ts"
import { errorsCommand } from "./errors.ts"
import { demoCommand } from "./demo.ts"
import { validateCommand } from "./validate.ts"
import { planCommand } from "./plan.ts"
import { applyCommand } from "./apply.ts"

/**
 * Every `billsync` subcommand, in the order `--help` lists them. A command provides its own
 * layers (database, Bill.com client, emulator) inside its handler, so it needs nothing from main
 * beyond the CLI environment (FileSystem, Path, Terminal).
 */
export type BillsyncCommand = Command.Command<string, CliApp.CliApp.Environment, unknown, unknown>

export const commands: readonly [BillsyncCommand, ...Array<BillsyncCommand>] = [
  validateCommand,
  emulatorCommand,
  reportCommand,
  mappingsCommand,
  connectCommand,
  statusCommand,
  syncCommand,
  errorsCommand,
  demoCommand,
  planCommand,
  applyCommand,
] as unknown as readonly [BillsyncCommand, ...Array<BillsyncCommand>]
