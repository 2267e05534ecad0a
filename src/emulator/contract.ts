import { Ajv, type ErrorObject, type ValidateFunction } from "ajv"
import addFormatsModule from "ajv-formats"
import { readFileSync } from "node:fs"

/**
 * Bill.com's published OpenAPI as the emulator's contract (test/contract/billcom.contract.json,
 * extracted by scripts/extract-contract.ts): every request is checked against its operation
 * (unknown query parameter, missing required parameter, value outside the enum or range, body
 * shape) and every response against the documented schema. The strict emulator refuses a request
 * the contract says Bill.com refuses, with Bill.com's error shape, and records each problem.
 */
const addFormats = addFormatsModule.default

type Json = Record<string, unknown>

export interface ContractParameter {
  readonly name: string
  readonly in: "query" | "path" | "header"
  readonly required: boolean
  readonly schema: Json
}

export interface ContractOperation {
  /** "METHOD path" with v2 paths under /v2, e.g. "GET /v3/bills", "POST /v2/Crud/Read/Bill.json". */
  readonly id: string
  readonly api: "v3" | "v2"
  readonly method: string
  readonly path: string
  readonly operationId?: string
  readonly parameters: ReadonlyArray<ContractParameter>
  readonly requestBody?: { readonly contentType: string; readonly required: boolean; readonly schema: Json }
  readonly responses: Readonly<Record<string, { readonly schema?: Json; readonly body?: "none" }>>
}

export interface ContractDocument {
  readonly source: Json
  readonly operations: ReadonlyArray<ContractOperation>
  readonly definitions: Readonly<Record<string, Json>>
}

/** One problem: `where` is "query.max", "body.account.type", "response.results[3].status", ... */
export interface ContractProblem {
  readonly where: string
  readonly problem: string
}

/** The field as Bill.com names it in an error message: "body.account.type" → "account.type", "body[1].name" → "[1].name". */
export const fieldOf = (where: string): string => where.replace(/^(body|query|path|form)(\.|(?=\[)|$)/, "") || "body"

export interface ContractViolation extends ContractProblem {
  readonly kind: "request" | "response"
  readonly operation: string
}

const CONTRACT_URL = new URL("../../test/contract/billcom.contract.json", import.meta.url)

let cached: Contract | undefined

const SCHEMA_ID = "billcom-contract"

/** Point the operation schemas' local refs at the registered definitions document. */
const rebase = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(rebase)
  if (typeof schema !== "object" || schema === null) return schema
  const out: Json = {}
  for (const [k, v] of Object.entries(schema as Json))
    out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#/definitions/") ? `${SCHEMA_ID}${v}` : rebase(v)
  return out
}

/** Problems worded the way Bill.com words its validation errors ("field: must not be null"). */
const describe = (e: ErrorObject): string => {
  if (e.keyword === "enum")
    return `must be one of ${(e.params as { allowedValues: ReadonlyArray<unknown> }).allowedValues.join(", ")}`
  if (e.keyword === "required") return "must not be null"
  if (e.keyword === "minLength" && (e.params as { limit: number }).limit === 1) return "must not be blank"
  if (e.keyword === "type") {
    const type = (e.params as { type: string | ReadonlyArray<string> }).type
    return `must be ${(typeof type === "string" ? type.split(",") : type).filter((t) => t !== "null").join(" or ")}`
  }
  return e.message ?? e.keyword
}

/** JSON pointer "/results/3/status" → "results[3].status". */
const pathOf = (pointer: string): string =>
  pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc === "" ? part : `${acc}.${part}`), "")

const problems = (validate: ValidateFunction, value: unknown, prefix: string): ReadonlyArray<ContractProblem> => {
  if (validate(value)) return []
  const errors = validate.errors ?? []
  // allOf/anyOf wrappers repeat their branch's error; keep the most specific one per location.
  const seen = new Set<string>()
  const out: Array<ContractProblem> = []
  for (const e of errors) {
    if (e.keyword === "allOf" || e.keyword === "anyOf" || e.keyword === "oneOf" || e.keyword === "if") continue
    const path = pathOf(
      e.instancePath + (e.keyword === "required" ? `/${(e.params as { missingProperty: string }).missingProperty}` : "")
    )
    const where = path === "" ? prefix : prefix === "" ? path : `${prefix}.${path}`.replace(/\.\[/g, "[")
    const problem = describe(e)
    const key = `${where}|${problem}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ where, problem })
  }
  return out
}

interface Compiled {
  readonly op: ContractOperation
  readonly parts: ReadonlyArray<string>
}

export interface RequestInput {
  /** The request path under its surface (v2 without /v2), e.g. "/v3/bills/00n02…". */
  readonly path: string
  readonly query: URLSearchParams
  /** The parsed JSON body (v3) or undefined when there is none. */
  readonly body: unknown
  /** v2 form fields (devKey, sessionId, data, …). */
  readonly form: URLSearchParams
}

export class Contract {
  private readonly ajv: Ajv
  private readonly compiled: ReadonlyArray<Compiled>
  private readonly validators = new Map<string, ValidateFunction>()

  constructor(readonly document: ContractDocument) {
    this.ajv = addFormats(new Ajv({ allErrors: true, strict: false, validateFormats: true }))
    this.ajv.addSchema({ $id: SCHEMA_ID, definitions: document.definitions })
    this.compiled = document.operations.map((op) => ({ op, parts: op.path.split("/") }))
  }

  /** The contract shipped with the repository (loaded once). */
  static load(): Contract {
    cached ??= new Contract(JSON.parse(readFileSync(CONTRACT_URL, "utf8")) as ContractDocument)
    return cached
  }

  get operations(): ReadonlyArray<ContractOperation> {
    return this.document.operations
  }

  /** The operation a request addresses (v2 paths without the /v2 prefix), or undefined. */
  find(api: "v3" | "v2", method: string, path: string): ContractOperation | undefined {
    const parts = path.split("/")
    // Literal segments win over templates ("/bulk" before "/{id}").
    let best: { op: ContractOperation; literals: number } | undefined
    for (const { op, parts: tpl } of this.compiled) {
      if (op.api !== api || op.method !== method || tpl.length !== parts.length) continue
      let literals = 0
      let ok = true
      for (let i = 0; i < tpl.length; i++) {
        const t = tpl[i]!
        if (t.startsWith("{") && t.endsWith("}")) {
          if (parts[i] === "") ok = false
        } else if (t === parts[i]) literals++
        else ok = false
        if (!ok) break
      }
      if (ok && (best === undefined || literals > best.literals)) best = { op, literals }
    }
    return best?.op
  }

  private validator(key: string, schema: Json): ValidateFunction {
    let v = this.validators.get(key)
    if (v === undefined) {
      v = this.ajv.compile(rebase(schema) as Json)
      this.validators.set(key, v)
    }
    return v
  }

  /** Everything wrong with a request for `op`; empty when it is what Bill.com accepts. */
  checkRequest(op: ContractOperation, input: RequestInput): ReadonlyArray<ContractProblem> {
    const out: Array<ContractProblem> = []
    const declared = new Set(op.parameters.map((p) => `${p.in}:${p.name}`))
    const params = pathParams(op.path, input.path)
    for (const p of op.parameters) {
      if (p.in === "header") continue
      const raw = p.in === "query" ? input.query.getAll(p.name) : params[p.name] !== undefined ? [params[p.name]!] : []
      const where = `${p.in}.${p.name}`
      if (raw.length === 0 || (raw.length === 1 && raw[0] === "" && p.in === "query" && p.required)) {
        if (p.required) out.push({ where, problem: "must not be null" })
        continue
      }
      if (raw.length > 1) out.push({ where, problem: "must be given once" })
      const value = coerce(raw[0]!, p.schema, this.document.definitions)
      out.push(...problems(this.validator(`${op.id}|${where}`, p.schema), value, where))
    }
    for (const name of new Set(input.query.keys())) {
      if (!declared.has(`query:${name}`))
        out.push({ where: `query.${name}`, problem: `is not a parameter of ${op.id}` })
    }
    const rb = op.requestBody
    if (rb !== undefined) {
      if (rb.contentType === "application/x-www-form-urlencoded") {
        const schema = rb.schema as { required?: ReadonlyArray<string>; properties?: Record<string, Json> }
        for (const name of schema.required ?? [])
          if ((input.form.get(name) ?? "") === "") out.push({ where: `form.${name}`, problem: "must not be null" })
        const dataSchema = schema.properties?.["data"]
        const data = input.form.get("data")
        if (dataSchema !== undefined && data !== null && data !== "") {
          let parsed: unknown
          try {
            parsed = JSON.parse(data)
          } catch {
            out.push({ where: "form.data", problem: "must be a JSON string" })
          }
          if (parsed !== undefined)
            out.push(...problems(this.validator(`${op.id}|data`, dataSchema), parsed, "form.data"))
        }
      } else if (input.body === undefined) {
        if (rb.required) out.push({ where: "body", problem: "must not be null" })
      } else out.push(...problems(this.validator(`${op.id}|body`, rb.schema), input.body, "body"))
    } else if (input.body !== undefined && op.api === "v3")
      out.push({ where: "body", problem: `${op.id} takes no request body` })
    return out
  }

  /** Everything wrong with a response of `op`: an undocumented status, or a body off its schema. */
  checkResponse(op: ContractOperation, status: number, body: unknown): ReadonlyArray<ContractProblem> {
    const key = String(status)
    const range = `${key[0]}XX`
    const doc = op.responses[key] ?? op.responses[range]
    if (doc === undefined)
      return [
        {
          where: "status",
          problem: `${status} is not a documented status of ${op.id} (documented: ${Object.keys(op.responses).join(", ")})`
        }
      ]
    if (doc.body === "none") return body === undefined ? [] : [{ where: "response", problem: "must be empty" }]
    if (doc.schema === undefined) return []
    return problems(
      this.validator(`${op.id}|${op.responses[key] !== undefined ? key : range}`, doc.schema),
      body,
      "response"
    )
  }
}

/** The `{name}` segments of a template, read from a concrete path. */
const pathParams = (template: string, path: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const parts = path.split("/")
  template.split("/").forEach((t, i) => {
    if (t.startsWith("{") && t.endsWith("}") && parts[i] !== undefined)
      out[t.slice(1, -1)] = decodeURIComponent(parts[i]!)
  })
  return out
}

/** A query or path string as the JSON value its schema describes (integer, number, boolean). */
const coerce = (raw: string, schema: Json, definitions: Readonly<Record<string, Json>>): unknown => {
  const type = typeOf(schema, definitions)
  if (type === "integer" || type === "number") {
    const n = Number(raw)
    return raw.trim() === "" || Number.isNaN(n) ? raw : n
  }
  if (type === "boolean") return raw === "true" ? true : raw === "false" ? false : raw
  return raw
}

const typeOf = (schema: Json, definitions: Readonly<Record<string, Json>>): string | undefined => {
  const t = schema["type"]
  if (typeof t === "string") return t
  if (Array.isArray(t)) return t.find((x) => x !== "null") as string | undefined
  const ref = schema["$ref"]
  if (typeof ref === "string") {
    const target = definitions[ref.replace("#/definitions/", "")]
    return target === undefined ? undefined : typeOf(target, definitions)
  }
  const all = schema["allOf"]
  if (Array.isArray(all))
    for (const s of all) {
      const found = typeOf(s as Json, definitions)
      if (found !== undefined) return found
    }
  return undefined
}

/** What the contract checks saw (counters().contract). */
export interface ContractCounters {
  readonly requestsChecked: number
  readonly responsesChecked: number
  /** Responses not checked because a fault or anomaly made them off-contract on purpose. */
  readonly injectedSkipped: number
  readonly requestViolations: number
  readonly responseViolations: number
  /** The first violations (at most 200), in order. */
  readonly violations: ReadonlyArray<ContractViolation>
  /** Every violation, tallied by "kind operation where: problem" (array indexes as []). */
  readonly summary: Readonly<Record<string, number>>
}

const MAX_KEPT_VIOLATIONS = 200

/** Tallies of the contract checks; violations kept up to a bound so a long run stays flat. */
export class ContractLog {
  private requestsChecked = 0
  private responsesChecked = 0
  private injectedSkipped = 0
  private requestViolations = 0
  private responseViolations = 0
  private violations: Array<ContractViolation> = []
  private summary: Record<string, number> = {}

  checkedRequest(): void {
    this.requestsChecked++
  }
  checkedResponse(): void {
    this.responsesChecked++
  }
  skipped(): void {
    this.injectedSkipped++
  }
  record(v: ContractViolation): void {
    if (v.kind === "request") this.requestViolations++
    else this.responseViolations++
    if (this.violations.length < MAX_KEPT_VIOLATIONS) this.violations.push(v)
    const key = `${v.kind} ${v.operation} ${v.where.replace(/\[\d+\]/g, "[]")}: ${v.problem}`
    this.summary[key] = (this.summary[key] ?? 0) + 1
  }
  snapshot(): ContractCounters {
    return {
      requestsChecked: this.requestsChecked,
      responsesChecked: this.responsesChecked,
      injectedSkipped: this.injectedSkipped,
      requestViolations: this.requestViolations,
      responseViolations: this.responseViolations,
      violations: [...this.violations],
      summary: { ...this.summary }
    }
  }
  reset(): void {
    this.requestsChecked = 0
    this.responsesChecked = 0
    this.injectedSkipped = 0
    this.requestViolations = 0
    this.responseViolations = 0
    this.violations = []
    this.summary = {}
  }
}
