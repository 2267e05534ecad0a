import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { fieldOf } from "./contract.ts"
import { controlRoutes } from "./control.ts"
import type { EmulatorCore } from "./core.ts"
import { ApiError, Errors, renderV2Error, renderV3Errors } from "./errors.ts"
import { Router, type Req, type Reply, type Route, type Surface } from "./router.ts"
import type { Session } from "./sessions.ts"
import { v2Routes } from "./v2.ts"
import { v3Routes } from "./v3.ts"

/**
 * The HTTP face of the emulator, on plain node:http rather than @effect/platform's HttpServer:
 * the fault drills need the raw socket (connection resets, truncated bodies that break their
 * Content-Length, bodies dribbled out chunk by chunk), which a framework response model hides.
 *
 * Request pipeline: route → session (BDC_1109) → hourly budget (BDC_1144) → in-flight limit
 * (BDC_1322, immediate) → contract check (400 BDC_1001, contract.ts) → injected faults → latency →
 * handler → response check against the documented schema → body (slow / truncated faults).
 */
const MOUNTS: ReadonlyArray<readonly [prefix: string, surface: Surface]> = [
  ["/connect", "v3"],
  ["/api/v2", "v2"],
  ["/__emulator", "control"]
]

const MAX_BODY = 5 * 1024 * 1024

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) {
        reject(Errors.badRequest("Request body is too large."))
        req.destroy()
      } else chunks.push(chunk)
    })
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export const startServer = (core: EmulatorCore): Promise<Server> => {
  const router = new Router([...v3Routes(core), ...v2Routes(core), ...(core.strict ? [] : controlRoutes(core))])
  const server = createServer((req, res) => {
    handle(core, router, req, res).catch((error: unknown) => {
      // A defect in a handler: answer 500 rather than hanging the client.
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" })
        res.end(
          JSON.stringify(renderV3Errors([{ code: "BDC_1001", message: String(error), category: "SERVER" }], Date.now()))
        )
      } else res.destroy()
    })
  })
  server.keepAliveTimeout = 5_000
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(core.options.port ?? 0, core.options.host ?? "127.0.0.1", () => {
      const address = server.address() as AddressInfo
      core.origin = `http://${address.address}:${address.port}`
      resolve(server)
    })
  })
}

export const stopServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })

const handle = async (core: EmulatorCore, router: Router, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const url = new URL(req.url ?? "/", "http://emulator")
  const mount = MOUNTS.find(([prefix]) => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))
  const surface: Surface = mount?.[1] ?? "v3"
  const path = mount === undefined ? url.pathname : url.pathname.slice(mount[0].length)
  const method = req.method ?? "GET"
  const matched = mount === undefined ? undefined : router.match(surface, method, path)
  const route = typeof matched === "object" ? matched.route : undefined
  // Counters describe Bill.com traffic: the control API is not counted.
  const counted = surface !== "control"
  const contract = counted ? core.contract : undefined
  const api = surface === "v2" ? "v2" : "v3"
  const operation = contract?.find(api, method, path)
  const opLabel = operation?.id ?? `${method} ${surface === "v2" ? `/v2${path}` : path}`
  let injected = false
  if (counted)
    core.counters.request(
      `${method} ${route !== undefined ? (surface === "v2" ? `/v2${route.template}` : route.template) : "(unknown)"}`
    )

  const send = async (reply: Reply, bodyFaults?: { slowMs: number | undefined; truncate: boolean }) => {
    if (counted) core.counters.status(reply.status)
    if (operation !== undefined && contract !== undefined && core.contractMode.responses === "validate") {
      if (injected) core.contractLog.skipped()
      else {
        core.contractLog.checkedResponse()
        for (const p of contract.checkResponse(operation, reply.status, reply.body))
          core.contractLog.record({ kind: "response", operation: operation.id, ...p })
      }
    }
    const text = reply.body === undefined ? "" : JSON.stringify(reply.body)
    const buffer = Buffer.from(text)
    res.writeHead(reply.status, { "content-type": "application/json", "content-length": String(buffer.length) })
    if (bodyFaults?.truncate === true && buffer.length > 1) {
      core.counters.fault("truncate")
      res.write(buffer.subarray(0, Math.floor(buffer.length / 2)), () => res.destroy())
      return
    }
    if (bodyFaults?.slowMs !== undefined && buffer.length > 0) {
      core.counters.fault("slowBody")
      const step = Math.max(1, Math.ceil(buffer.length / 8))
      for (let i = 0; i < buffer.length; i += step) {
        if (res.destroyed) return
        res.write(buffer.subarray(i, i + step))
        await sleep(bodyFaults.slowMs)
      }
      res.end()
      return
    }
    res.end(buffer)
  }

  const fail = (error: ApiError) => {
    if (counted) for (const e of error.errors) core.counters.error(e.code)
    // v2 reports failures inside an HTTP 200 envelope (§5.3).
    if (surface === "v2") return send({ status: 200, body: renderV2Error(error.errors[0]!) })
    return send({ status: error.status, body: renderV3Errors(error.errors, core.state.now()) })
  }

  if (counted) core.counters.started()
  let release: (() => void) | undefined
  res.on("close", () => {
    if (counted) core.counters.finished()
    release?.()
  })
  try {
    const raw = await readBody(req)
    if (route === undefined || typeof matched !== "object") {
      if (contract !== undefined && core.contractMode.requests !== "off")
        core.contractLog.record({
          kind: "request",
          operation: opLabel,
          where: "route",
          problem: "no such Bill.com operation"
        })
      return await fail(Errors.notSupported())
    }
    const form = surface === "v2" ? new URLSearchParams(raw) : new URLSearchParams()
    const body = parseBody(surface, raw, form)
    const headers = req.headers as Record<string, string | undefined>
    let session: Session | undefined
    const n = route.surface === "control" ? -1 : core.faults.next()
    if (route.auth) {
      const devKey = surface === "v2" ? (form.get("devKey") ?? headers["devkey"]) : headers["devkey"]
      const sessionId = surface === "v2" ? (form.get("sessionId") ?? headers["sessionid"]) : headers["sessionid"]
      session = core.sessions.touch(sessionId ?? undefined, devKey ?? undefined)
      if (session === undefined) return await fail(Errors.sessionInvalid())
      if (!core.limits.takeRequest(session.devKey))
        return await fail(Errors.hourlyLimit(core.limits.rateLimitStatus, core.limits.requestsPerHour))
      const key = `${session.devKey}/${session.organizationId}`
      release = core.limits.acquire(key)
      if (release === undefined) return await fail(Errors.tooManyConcurrent(core.limits.rateLimitStatus))
    } else if (route.surface !== "control") {
      // Logins spend the hourly request budget of the devKey they name (when it is ours).
      const devKey = surface === "v2" ? form.get("devKey") : (body as Record<string, unknown> | undefined)?.["devKey"]
      if (typeof devKey === "string" && devKey === core.credentials.devKey && !core.limits.takeRequest(devKey))
        return await fail(Errors.hourlyLimit(core.limits.rateLimitStatus, core.limits.requestsPerHour))
    }
    if (operation !== undefined && contract !== undefined && core.contractMode.requests !== "off") {
      core.contractLog.checkedRequest()
      const problems = contract.checkRequest(operation, {
        path,
        query: url.searchParams,
        body: surface === "v2" ? undefined : body,
        form
      })
      for (const p of problems) core.contractLog.record({ kind: "request", operation: operation.id, ...p })
      if (problems.length > 0 && core.contractMode.requests === "enforce")
        return await fail(Errors.contract(problems.map((p) => ({ field: fieldOf(p.where), problem: p.problem }))))
    }
    if (n >= 0) {
      if (
        route.auth &&
        core.faults.echoSecrets(n, `${method} ${surface === "v2" ? `/v2${route.template}` : route.template}`)
      ) {
        core.counters.fault("echoSecrets")
        const status = core.faults.config.echoSecrets?.status ?? 400
        return await fail(Errors.echoingSecrets(status, session!.devKey, session!.id))
      }
      if (route.auth) {
        const decision = core.faults.decide(n, true)
        switch (decision._tag) {
          case "reset":
            core.counters.fault("reset")
            res.destroy()
            return
          case "serverError":
            core.counters.fault("serverError")
            return await fail(Errors.serverError())
          case "rateLimited":
            core.counters.fault("rateLimited")
            return await fail(Errors.tooManyConcurrent(core.limits.rateLimitStatus))
          case "invalidateSession":
            core.counters.fault("invalidateSession")
            core.sessions.invalidate(session!.id)
            return await fail(Errors.sessionInvalid())
          case "pass":
            break
        }
      }
      const latency = core.faults.latencyMs(n)
      if (latency > 0) await sleep(latency)
      if (res.destroyed) return
    }
    const faults = core.faults
    const request: Req = {
      params: matched.params,
      query: url.searchParams,
      body,
      form,
      headers,
      session,
      malformed: (index) => {
        const hit = n >= 0 && route.auth && faults.malformed(n, index)
        if (hit) injected = true
        return hit
      },
      injected: () => {
        injected = true
      }
    }
    const reply = await route.handle(request)
    const bodyFaults =
      n >= 0 && route.auth ? { slowMs: faults.slowBodyDelay(n), truncate: faults.truncate(n) } : undefined
    await send(reply, bodyFaults)
  } catch (error) {
    if (error instanceof ApiError) return await fail(error)
    throw error
  }
}

const parseBody = (surface: Surface, raw: string, form: URLSearchParams): unknown => {
  if (surface === "v2") {
    const data = form.get("data")
    if (data === null || data === "") return undefined
    try {
      return JSON.parse(data)
    } catch {
      throw Errors.badRequest("data: is not valid JSON")
    }
  }
  if (raw.trim() === "") return undefined
  try {
    return JSON.parse(raw)
  } catch {
    throw Errors.badRequest("Request body is not valid JSON.")
  }
}

export type { Route }
