import { afterAll, beforeAll } from "vitest"
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../src/emulator/index.ts"

/** Real HTTP against an emulator started for the test file (closed afterwards). */
export interface Harness {
  readonly running: () => RunningEmulator
  readonly v3: string
  readonly v2: string
  readonly origin: string
}

export const useEmulator = (options: EmulatorOptions = {}): Harness => {
  let running: RunningEmulator | undefined
  beforeAll(async () => {
    running = await startEmulator(options)
  })
  afterAll(async () => {
    await running?.stop()
  })
  const get = () => {
    if (running === undefined) throw new Error("emulator not started")
    return running
  }
  return {
    running: get,
    get v3() {
      return `${get().core.origin}/connect`
    },
    get v2() {
      return `${get().core.origin}/api/v2`
    },
    get origin() {
      return get().core.origin
    }
  }
}

export interface Reply {
  readonly status: number
  readonly body: any
  readonly text: string
}

export const request = async (url: string, init: RequestInit = {}): Promise<Reply> => {
  const res = await fetch(url, init)
  const text = await res.text()
  let body: unknown
  try {
    body = text === "" ? undefined : JSON.parse(text)
  } catch {
    body = undefined
  }
  return { status: res.status, body, text }
}

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body)
  })

export interface Login {
  readonly sessionId: string
  readonly headers: Record<string, string>
}

export const login = async (h: Harness): Promise<Login> => {
  const c = h.running().core.credentials
  const r = await postJson(`${h.v3}/v3/login`, c)
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`)
  return { sessionId: r.body.sessionId, headers: { sessionId: r.body.sessionId, devKey: c.devKey } }
}

export const v3get = (h: Harness, s: Login, path: string) => request(`${h.v3}${path}`, { headers: s.headers })

/** Follow nextPage to the end; returns every page's body. */
export const allPages = async (h: Harness, s: Login, path: string, from?: string): Promise<Array<any>> => {
  const pages: Array<any> = []
  let next: string | undefined = from
  const sep = path.includes("?") ? "&" : "?"
  for (let guard = 0; guard < 10_000; guard++) {
    const r = await v3get(h, s, next === undefined ? path : `${path}${sep}page=${encodeURIComponent(next)}`)
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`)
    pages.push(r.body)
    next = r.body.nextPage
    if (next === undefined) return pages
  }
  throw new Error("too many pages")
}

export const v2post = (h: Harness, op: string, fields: Record<string, string>) =>
  request(`${h.v2}/${op}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString()
  })

export const control = (h: Harness, method: string, path: string, body?: unknown) =>
  request(`${h.origin}/__emulator${path}`, {
    method,
    ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {})
  })
