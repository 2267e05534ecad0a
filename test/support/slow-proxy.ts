import { Effect } from "effect"
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net"

/**
 * A TCP proxy in front of the run's Postgres server that holds every new connection for `delayMs`
 * before connecting it through (a server slow to accept, as under a loaded machine); `open()`
 * counts the client connections it still has.
 */
export const slowProxy = (serverUrl: string, delayMs: number) =>
  Effect.acquireRelease(
    Effect.async<{
      readonly url: string
      readonly open: () => number
      readonly server: Server
      readonly destroy: () => void
    }>((resume) => {
      const target = new URL(serverUrl)
      const sockets = new Set<Socket>()
      const server = createServer((client) => {
        sockets.add(client)
        client.pause()
        const timer = setTimeout(() => {
          const upstream = connect(Number(target.port || 5432), target.hostname, () => {
            client.pipe(upstream)
            upstream.pipe(client)
            client.resume()
          })
          const end = () => {
            client.destroy()
            upstream.destroy()
          }
          upstream.on("error", end)
          upstream.on("close", end)
        }, delayMs)
        client.on("error", () => client.destroy())
        client.on("close", () => {
          clearTimeout(timer)
          sockets.delete(client)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const u = new URL(serverUrl)
        u.hostname = "127.0.0.1"
        u.port = String((server.address() as AddressInfo).port)
        resume(
          Effect.succeed({
            url: u.toString(),
            open: () => sockets.size,
            server,
            destroy: () => {
              for (const socket of sockets) socket.destroy()
            }
          })
        )
      })
    }),
    ({ server, destroy }) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        destroy()
      })
  )
