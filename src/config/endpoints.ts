import type { Pipeline } from "./pipeline.ts"

/** Where a pipeline's Bill.com lives: fixed base URLs, or an emulator started in-process. */
export type Endpoints =
  | { readonly v3: string; readonly v2: string }
  | { readonly inProcessEmulator: { readonly seed: string } }

/** billcom-api.md §1.1. The old v2 sandbox host api-sandbox.bill.com was sunset in 2024. */
export const BILLCOM_ENDPOINTS = {
  sandbox: { v3: "https://gateway.stage.bill.com/connect", v2: "https://api-stage.bill.com/api/v2" },
  production: { v3: "https://gateway.prod.bill.com/connect", v2: "https://api.bill.com/api/v2" }
} as const

const trim = (url: string): string => url.replace(/\/+$/, "")

/**
 * The base URLs a pipeline talks to. `baseUrl`/`v2BaseUrl` override the environment's defaults; an
 * emulator pipeline without `baseUrl` runs the emulator in-process (seed `demo` by default); an
 * external emulator serves v2 under the same origin as v3 (`{origin}/api/v2`).
 */
export const endpointsFor = (pipeline: Pipeline): Endpoints => {
  const { environment, baseUrl, v2BaseUrl, emulator } = pipeline.billcom
  if (environment === "emulator") {
    if (baseUrl === undefined) return { inProcessEmulator: { seed: emulator?.seed ?? "demo" } }
    return { v3: trim(baseUrl), v2: trim(v2BaseUrl ?? `${new URL(baseUrl).origin}/api/v2`) }
  }
  const defaults = BILLCOM_ENDPOINTS[environment]
  return { v3: trim(baseUrl ?? defaults.v3), v2: trim(v2BaseUrl ?? defaults.v2) }
}
