import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { BillcomClient } from "../../src/billcom/client.ts"
import { makeSettings } from "../../src/billcom/settings.ts"
import { BillcomTransport } from "../../src/billcom/transport.ts"

/**
 * A scripted stand-in for a proxy in front of Bill.com (the emulator never sends Retry-After, and
 * Bill.com documents none): list calls are answered by `script` in order, logins and logouts always succeed.
 */
const fakeBillcom = (script: ReadonlyArray<(res: ServerResponse) => void>) =>
  Effect.acquireRelease(
    Effect.async<{ origin: string; listCalls: () => number; close: () => void }>((resume) => {
      let n = 0
      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        res.setHeader("content-type", "application/json")
        if (req.url?.startsWith("/connect/v3/login"))
          return res.end(JSON.stringify({ sessionId: "s", organizationId: "o", userId: "u", trusted: false }))
        if (req.url?.startsWith("/connect/v3/logout")) return res.end()
        const step = script[Math.min(n++, script.length - 1)]!
        step(res)
      })
      server.listen(0, "127.0.0.1", () =>
        resume(
          Effect.succeed({
            origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            listCalls: () => n,
            close: () => {
              server.closeAllConnections()
              server.close()
            }
          })
        )
      )
    }),
    (s) => Effect.sync(s.close)
  )

const tooMany = (retryAfter: string) => (res: ServerResponse) => {
  res.writeHead(429, { "retry-after": retryAfter, "content-type": "application/json" })
  res.end(JSON.stringify({ message: "Too Many Requests" }))
}
const okPage = (res: ServerResponse) =>
  res.end(JSON.stringify({ results: [{ id: "00902AAAAAAAAAAAAAAA", archived: false }] }))

const clientFor = (origin: string) =>
  BillcomClient.layer.pipe(
    Layer.provide(
      BillcomTransport.layer(
        makeSettings({
          v3BaseUrl: `${origin}/connect`,
          v2BaseUrl: `${origin}/api/v2`,
          organizationId: "o",
          credentials: { devKey: "k", username: "u", password: "p" },
          retry: { retries: 3, baseDelay: "1 millis", maxDelay: "2 millis" },
          hourlyLimitMaxWait: "10 seconds"
        })
      )
    ),
    Layer.provide(NodeHttpClient.layerUndici)
  )

describe("Retry-After", () => {
  it.live("a 429 with Retry-After is re-sent after the asked delay and succeeds", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const fake = yield* fakeBillcom([tooMany("0"), tooMany("0"), okPage])
        const stats = yield* Effect.gen(function* () {
          const client = yield* BillcomClient
          const rows = yield* Stream.runCollect(client.list("vendors"))
          expect(rows.length).toBe(1)
          return yield* client.stats()
        }).pipe(Effect.provide(clientFor(fake.origin)))
        expect(fake.listCalls()).toBe(3)
        expect(stats.rateLimitErrors).toBe(2)
        expect(stats.retries).toBe(2)
      })
    )
  )

  it.live("a Retry-After longer than a run may wait fails at once with a RateLimited error", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const fake = yield* fakeBillcom([tooMany("3600")])
        const error = yield* Effect.flatMap(BillcomClient, (c) => Effect.flip(Stream.runDrain(c.list("vendors")))).pipe(
          Effect.provide(clientFor(fake.origin))
        )
        expect(error.reason).toBe("RateLimited")
        expect(error.message).toContain("Retry-After asks for 3600 s")
        expect(fake.listCalls()).toBe(1)
      })
    )
  )

  it.live("a 200 whose body is not JSON (a proxy page) is re-sent like a transport fault", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const fake = yield* fakeBillcom([(res) => res.end("<html>maintenance</html>"), okPage])
        const n = yield* Effect.flatMap(BillcomClient, (c) => Stream.runCount(c.list("vendors"))).pipe(
          Effect.provide(clientFor(fake.origin))
        )
        expect(n).toBe(1)
        expect(fake.listCalls()).toBe(2)
      })
    )
  )
})
