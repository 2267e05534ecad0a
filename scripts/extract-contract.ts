// Regenerates test/contract/billcom.contract.json — the operations billsync calls, as data — from
// Bill.com's official OpenAPI definitions.
//
// Usage:
//   node --import tsx scripts/extract-contract.ts                       # from the committed subsets
//   node --import tsx scripts/extract-contract.ts --v3 bill-v3-api.json \
//        --v2 authentication.json --v2 ap-vendor-transactions.json --v2 organization-accounts-tracking.json
//   add --write-subsets to refresh test/contract/openapi/*.subset.json from full files
//   add --check to fail (exit 1) when the committed contract differs from what the inputs give
//
// Inputs are either the full official files (jentic/oak apis/openapi/bill.com/…) or the committed
// facts-only subsets; both give the same contract. The output keeps, per operation, the path,
// method, parameters (in, required, schema) and the success and error response schemas, with every
// $ref resolved into a closed `definitions` set of JSON Schema (draft-07: `nullable` becomes a null
// type; descriptions, examples and annotation-only keywords are dropped).
import { readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }
type Obj = { [k: string]: Json }

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const contractDir = join(root, "test", "contract")
const SUBSET_V3 = join(contractDir, "openapi", "bill-v3.subset.json")
const SUBSET_V2 = join(contractDir, "openapi", "bill-v2.subset.json")
const OUT = join(contractDir, "billcom.contract.json")

/**
 * Every operation billsync calls (src/billcom, src/coa) or that the emulator serves for it. The
 * v3 client: login/session/logout, the lists and gets the sync reads, bill documents, and the
 * chart-of-accounts writes `apply coa` makes; v2: the legacy reads (bill approval, chart of account, vendor credit rate) and the session calls.
 */
export const OPERATIONS: ReadonlyArray<readonly ["v3" | "v2", string, string]> = [
  ["v3", "POST", "/v3/login"],
  ["v3", "GET", "/v3/login/session"],
  ["v3", "POST", "/v3/logout"],
  ["v3", "GET", "/v3/vendors"],
  ["v3", "GET", "/v3/vendors/{vendorId}"],
  ["v3", "GET", "/v3/bills"],
  ["v3", "GET", "/v3/bills/{billId}"],
  ["v3", "GET", "/v3/vendor-credits"],
  ["v3", "GET", "/v3/vendor-credits/{vendorCreditId}"],
  ["v3", "GET", "/v3/payments"],
  ["v3", "GET", "/v3/payments/{paymentId}"],
  ["v3", "GET", "/v3/customers"],
  ["v3", "GET", "/v3/customers/{customerId}"],
  ["v3", "GET", "/v3/users"],
  ["v3", "GET", "/v3/users/{userId}"],
  ["v3", "GET", "/v3/funding-accounts/banks"],
  ["v3", "GET", "/v3/funding-accounts/banks/{bankAccountId}"],
  ["v3", "GET", "/v3/funding-accounts/cards"],
  ["v3", "GET", "/v3/funding-accounts/cards/{cardAccountId}"],
  ["v3", "GET", "/v3/funding-accounts/ap-cards"],
  ...["accounting-classes", "chart-of-accounts", "departments", "employees", "items", "jobs", "locations"].flatMap(
    (kind): ReadonlyArray<readonly ["v3", string, string]> => [
      ["v3", "GET", `/v3/classifications/${kind}`],
      ["v3", "GET", `/v3/classifications/${kind}/{id}`]
    ]
  ),
  ["v3", "POST", "/v3/classifications/chart-of-accounts"],
  ["v3", "PATCH", "/v3/classifications/chart-of-accounts/{id}"],
  ["v3", "POST", "/v3/classifications/chart-of-accounts/{id}/archive"],
  ["v3", "POST", "/v3/classifications/chart-of-accounts/{id}/restore"],
  ["v3", "POST", "/v3/classifications/chart-of-accounts/bulk"],
  ["v3", "PATCH", "/v3/classifications/chart-of-accounts/bulk"],
  ["v3", "POST", "/v3/classifications/chart-of-accounts/bulk/archive"],
  ["v3", "POST", "/v3/classifications/chart-of-accounts/bulk/restore"],
  ["v3", "GET", "/v3/documents/bills/{billId}"],
  ["v3", "GET", "/v3/documents/{documentId}"],
  ["v2", "POST", "/Login.json"],
  ["v2", "POST", "/GetSessionInfo.json"],
  ["v2", "POST", "/Logout.json"],
  ["v2", "POST", "/Crud/Read/Bill.json"],
  ["v2", "POST", "/Crud/Read/ChartOfAccount.json"],
  // The exchange rate of a foreign-currency vendor credit (v3 credits carry none).
  ["v2", "POST", "/Crud/Read/VendorCredit.json"]
]

/** Keywords that constrain a value; everything else in an OpenAPI schema is prose or annotation. */
const KEEP = new Set([
  "type",
  "enum",
  "required",
  "properties",
  "items",
  "allOf",
  "oneOf",
  "anyOf",
  "additionalProperties",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "maxProperties",
  "minProperties",
  "format",
  "$ref",
  "nullable"
])
/** Formats ajv-formats validates; int32/int64/byte/binary are annotations here. */
const FORMATS = new Set(["date", "date-time"])

const isObj = (j: unknown): j is Obj => typeof j === "object" && j !== null && !Array.isArray(j)

const readJson = (file: string): Obj => {
  const doc = JSON.parse(readFileSync(file, "utf8")) as unknown
  if (!isObj(doc) || !isObj(doc["paths"])) throw new Error(`${file}: not an OpenAPI document (no paths)`)
  return doc
}

interface Spec {
  readonly api: "v3" | "v2"
  readonly docs: ReadonlyArray<Obj>
}

const schemasOf = (doc: Obj): Obj =>
  isObj(doc["components"]) && isObj(doc["components"]["schemas"]) ? doc["components"]["schemas"] : {}

/** A definition name in the contract: v3 names as they are, v2 names prefixed (the v2 files reuse names like ErrorResponse). */
const defName = (api: "v3" | "v2", name: string) => (api === "v3" ? name : `v2.${name}`)

/** OpenAPI 3.0 schema → JSON Schema draft-07, collecting the components it references. */
const convert = (api: "v3" | "v2", schema: Json, refs: Set<string>): Json => {
  if (Array.isArray(schema)) return schema.map((s) => convert(api, s, refs))
  if (!isObj(schema)) return schema
  const out: Obj = {}
  for (const [key, value] of Object.entries(schema)) {
    if (!KEEP.has(key)) continue
    if (key === "$ref" && typeof value === "string") {
      const name = value.replace("#/components/schemas/", "")
      refs.add(name)
      out["$ref"] = `#/definitions/${defName(api, name)}`
    } else if (key === "format") {
      if (typeof value === "string" && FORMATS.has(value)) out["format"] = value
    } else if (key === "properties" && isObj(value)) {
      out["properties"] = Object.fromEntries(Object.entries(value).map(([p, s]) => [p, convert(api, s, refs)]))
    } else if (key === "allOf" || key === "oneOf" || key === "anyOf") {
      // `allOf: [{$ref}, {description}]` is how the spec annotates a reference: keep the parts that constrain.
      const parts = (value as ReadonlyArray<Json>)
        .map((s) => convert(api, s, refs))
        .filter((s) => !(isObj(s) && Object.keys(s).length === 0))
      if (parts.length > 0) out[key] = parts
    } else if (key === "items" || key === "additionalProperties") {
      out[key] = convert(api, value, refs)
    } else if (key !== "nullable") out[key] = value
  }
  if (schema["nullable"] === true && typeof out["type"] === "string") out["type"] = [out["type"], "null"]
  return out
}

const OP_KEEP = ["operationId"] as const

const findOperation = (spec: Spec, method: string, path: string): { doc: Obj; op: Obj } => {
  for (const doc of spec.docs) {
    const item = (doc["paths"] as Obj)[path]
    if (isObj(item) && isObj(item[method.toLowerCase()])) return { doc, op: item[method.toLowerCase()] as Obj }
  }
  throw new Error(`${spec.api} ${method} ${path}: not in the given OpenAPI files`)
}

export const buildContract = (v3: ReadonlyArray<Obj>, v2: ReadonlyArray<Obj>) => {
  const specs = { v3: { api: "v3", docs: v3 } as Spec, v2: { api: "v2", docs: v2 } as Spec }
  const pending = { v3: new Set<string>(), v2: new Set<string>() }
  const operations: Array<Obj> = []
  for (const [api, method, path] of OPERATIONS) {
    const spec = specs[api]
    const { op } = findOperation(spec, method, path)
    const refs = pending[api]
    const parameters = (Array.isArray(op["parameters"]) ? op["parameters"] : []).filter(isObj).map((p) => ({
      name: p["name"] as string,
      in: p["in"] as string,
      required: p["required"] === true,
      schema: convert(api, p["schema"] ?? {}, refs)
    }))
    let requestBody: Obj | undefined
    const body = op["requestBody"]
    if (isObj(body) && isObj(body["content"])) {
      const [contentType, media] = Object.entries(body["content"])[0]!
      requestBody = {
        contentType,
        required: body["required"] === true,
        schema: convert(api, (media as Obj)["schema"] ?? {}, refs)
      }
    }
    const responses: Obj = {}
    for (const [status, response] of Object.entries(isObj(op["responses"]) ? op["responses"] : {})) {
      const content = isObj(response) && isObj(response["content"]) ? (response["content"] as Obj) : undefined
      const media = content === undefined ? undefined : (content["application/json"] as Obj | undefined)
      responses[status] = media === undefined ? { body: "none" } : { schema: convert(api, media["schema"] ?? {}, refs) }
    }
    operations.push({
      id: `${method} ${api === "v2" ? `/v2${path}` : path}`,
      api,
      method,
      path,
      ...Object.fromEntries(OP_KEEP.filter((k) => op[k] !== undefined).map((k) => [k, op[k]!])),
      parameters,
      ...(requestBody !== undefined ? { requestBody } : {}),
      responses
    })
  }
  // The transitive closure of referenced components, converted.
  const definitions: Obj = {}
  for (const api of ["v3", "v2"] as const) {
    const all: Obj = Object.assign({}, ...specs[api].docs.map(schemasOf))
    const queue = [...pending[api]]
    const seen = new Set<string>()
    while (queue.length > 0) {
      const name = queue.shift()!
      if (seen.has(name)) continue
      seen.add(name)
      const schema = all[name]
      if (schema === undefined) throw new Error(`${api} schema ${name} is referenced but not defined`)
      const refs = new Set<string>()
      definitions[defName(api, name)] = convert(api, schema, refs)
      for (const r of refs) if (!seen.has(r)) queue.push(r)
    }
  }
  const source = (docs: ReadonlyArray<Obj>) =>
    docs.map((d) => {
      const info = isObj(d["info"]) ? d["info"] : {}
      return `${String(info["title"] ?? "?")} ${String(info["version"] ?? "?")}`
    })
  return {
    source: { v3: source(v3), v2: source(v2) },
    operations,
    definitions: Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  }
}

/** A facts-only subset of full official files: the chosen paths and the schemas they reach, prose removed. */
const subsetOf = (api: "v3" | "v2", docs: ReadonlyArray<Obj>): Obj => {
  const strip = (j: Json): Json =>
    Array.isArray(j)
      ? j.map(strip)
      : isObj(j)
        ? Object.fromEntries(
            Object.entries(j)
              .filter(([k]) => k !== "description" && k !== "example" && k !== "summary" && k !== "tags")
              .map(([k, v]) => [
                k,
                k === "properties" && isObj(v)
                  ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strip(s)]))
                  : strip(v)
              ])
          )
        : j
  const paths: Obj = {}
  const refs = new Set<string>()
  const collect = (j: Json): void => {
    if (Array.isArray(j)) j.forEach(collect)
    else if (isObj(j))
      for (const [k, v] of Object.entries(j))
        if (k === "$ref" && typeof v === "string") refs.add(v.replace("#/components/schemas/", ""))
        else collect(v)
  }
  for (const [a, method, path] of OPERATIONS) {
    if (a !== api) continue
    const { op } = findOperation({ api, docs }, method, path)
    const stripped = strip(op)
    collect(stripped)
    paths[path] ??= {}
    const item = paths[path] as Obj
    item[method.toLowerCase()] = stripped
  }
  const all: Obj = Object.assign({}, ...docs.map(schemasOf))
  const schemas: Obj = {}
  const queue = [...refs]
  while (queue.length > 0) {
    const name = queue.shift()!
    if (schemas[name] !== undefined) continue
    const s = strip(all[name] ?? null)
    schemas[name] = s
    collect(s)
    for (const r of refs) if (schemas[r] === undefined) queue.push(r)
  }
  const first = docs[0]!
  return { openapi: first["openapi"] ?? "3.0.1", info: strip(first["info"] ?? {}), paths, components: { schemas } }
}

const main = () => {
  const args = process.argv.slice(2)
  const v3Files: Array<string> = []
  const v2Files: Array<string> = []
  let writeSubsets = false
  let check = false
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === "--v3") v3Files.push(args[++i] ?? "")
    else if (a === "--v2") v2Files.push(args[++i] ?? "")
    else if (a === "--write-subsets") writeSubsets = true
    else if (a === "--check") check = true
    else throw new Error(`unknown argument ${a} (see the usage at the top of scripts/extract-contract.ts)`)
  }
  const v3 = (v3Files.length > 0 ? v3Files : [SUBSET_V3]).map(readJson)
  const v2 = (v2Files.length > 0 ? v2Files : [SUBSET_V2]).map(readJson)
  if (writeSubsets) {
    writeFileSync(SUBSET_V3, JSON.stringify(subsetOf("v3", v3), null, 1) + "\n")
    writeFileSync(SUBSET_V2, JSON.stringify(subsetOf("v2", v2), null, 1) + "\n")
  }
  const text = JSON.stringify(buildContract(v3, v2), null, 1) + "\n"
  if (check) {
    const current = readFileSync(OUT, "utf8")
    if (current !== text) {
      process.stderr.write(`${OUT} is stale: run node --import tsx scripts/extract-contract.ts\n`)
      process.exit(1)
    }
    process.stdout.write("contract up to date\n")
    return
  }
  writeFileSync(OUT, text)
  const contract = JSON.parse(text) as { operations: ReadonlyArray<unknown>; definitions: Obj }
  process.stdout.write(
    `${OUT}: ${contract.operations.length} operations, ${Object.keys(contract.definitions).length} schemas\n`
  )
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main()
