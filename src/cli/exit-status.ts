/** Conventional exit statuses shared by every command (no imports: main.ts answers --help without loading Effect). */
export const Exit = {
  ok: 0,
  problems: 1,
  usage: 2
} as const
