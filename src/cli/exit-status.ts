/**
 * Conventional exit statuses shared by every command (no imports: main.ts answers --help without
 * loading Effect). 2 is reserved for `plan coa --detailed-exitcode` ("the plan has changes", as
 * Terraform), so a usage error has its own status: 64, sysexits' EX_USAGE.
 */
export const Exit = {
  ok: 0,
  problems: 1,
  changes: 2,
  usage: 64
} as const
