import { join } from "node:path"
import { scratchServerDatabase } from "./database.ts"

/**
 * The database a test hands to `billsync` processes: a scratch database on the run's Postgres
 * server (dropped by `drop`), else an embedded one in `dir`. `env` goes into the child's environment.
 */
export const cliDatabase = async (
  prefix: string,
  dir: string
): Promise<{ readonly env: Record<string, string>; readonly drop: () => Promise<void> }> => {
  const db = await scratchServerDatabase(prefix)
  if (db === undefined) return { env: { BILLSYNC_EMBEDDED_DIR: join(dir, ".billsync/db") }, drop: async () => {} }
  return { env: { DATABASE_URL: db.url }, drop: db.drop }
}
