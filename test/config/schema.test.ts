import { Either, Schema } from "effect"
import fc from "fast-check"
import * as Fs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { validatorFor } from "../../src/config/check-file.ts"
import { FileKinds, mappingKindOfFile, type FileKindName } from "../../src/config/files.ts"
import { generatedFiles } from "../../scripts/generate-schemas.ts"
import { BASE, REPO_ROOT } from "./support.ts"

describe("one source of truth: effect/Schema → schemas/*.schema.json → docs", () => {
  it("the committed schemas and reference equal the generated output (run `npm run schemas`)", () => {
    for (const { path, text } of generatedFiles()) {
      const committed = Fs.readFileSync(NodePath.join(REPO_ROOT, path), "utf8")
      expect(committed, `${path} is stale: run npm run schemas`).toBe(text)
    }
  })

  it("every schema is draft-07, every object closed, every property described", () => {
    for (const { path, text } of generatedFiles().filter((f) => f.path.endsWith(".json"))) {
      const schema = JSON.parse(text)
      expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#")
      expect(typeof schema.title).toBe("string")
      const walk = (node: any, where: string): void => {
        if (node === null || typeof node !== "object") return
        if (node.type === "object") {
          expect(node.additionalProperties, `${path} ${where}`).toBe(false)
          for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
            expect(
              typeof child.description === "string" && child.description.length > 10,
              `${path} ${where}.${key} has no description`
            ).toBe(true)
            if (
              child.type !== "object" &&
              child.type !== "array" &&
              child.type !== "boolean" &&
              child.enum === undefined
            ) {
              expect(Array.isArray(child.examples), `${path} ${where}.${key} has no examples`).toBe(true)
            }
            walk(child, `${where}.${key}`)
          }
        }
        if (node.items !== undefined) walk(node.items, `${where}[]`)
      }
      walk(schema, "")
    }
  })
})

const decodes = (kind: FileKindName, value: unknown): boolean =>
  Either.isRight(
    Schema.decodeUnknownEither(FileKinds[kind].schema as Schema.Schema<unknown, unknown, never>, {
      errors: "all",
      onExcessProperty: "error"
    })(value)
  )
const ajvAccepts = (kind: FileKindName, value: unknown): boolean => validatorFor(kind)(value) === true

/** Valid documents of every kind: the fixtures and every example file in the repository. */
const validSamples = (): Array<{ kind: FileKindName; value: unknown; from: string }> => {
  const out: Array<{ kind: FileKindName; value: unknown; from: string }> = []
  const add = (path: string, text: string) => {
    const kind = path.startsWith("pipelines/") ? "pipeline" : mappingKindOfFile(NodePath.basename(path))
    if (kind !== undefined) out.push({ kind, value: parse(text) ?? {}, from: path })
  }
  for (const [path, text] of Object.entries(BASE)) add(path, text)
  for (const dir of [
    "pipelines",
    ...Fs.readdirSync(NodePath.join(REPO_ROOT, "mappings")).map((d) => `mappings/${d}`)
  ]) {
    for (const name of Fs.readdirSync(NodePath.join(REPO_ROOT, dir))) {
      if (name.endsWith(".yaml")) add(`${dir}/${name}`, Fs.readFileSync(NodePath.join(REPO_ROOT, dir, name), "utf8"))
    }
  }
  return out
}

type Json = null | boolean | number | string | Array<Json> | { [k: string]: Json }
type PathT = Array<string | number>

const pathsOf = (value: Json, at: PathT = []): Array<PathT> => {
  const here = [at]
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...at, i]))]
  if (value !== null && typeof value === "object")
    return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, k]))]
  return here
}

const setAt = (root: Json, path: PathT, f: (parent: any, key: string | number) => void): Json => {
  const copy = structuredClone(root)
  if (path.length === 0) return copy
  let node: any = copy
  for (const seg of path.slice(0, -1)) node = node[seg]
  f(node, path[path.length - 1]!)
  return copy
}

/** Values that sit on the edges of the schemas: ids of every prefix, dates, env names, limits. */
const interesting: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    1,
    3,
    4,
    6,
    34,
    35,
    100,
    101,
    1.5,
    -1,
    20000,
    20001,
    600000,
    "",
    " x",
    "x ",
    "1000",
    "2000",
    "00902AAAAAAAAAAAAAAA",
    "0ca02AAAAAAAAAAAAAAA",
    "bac02AAAAAAAAAAAAAAA",
    "cat02AAAAAAAAAAAAAAA",
    "dva02AAAAAAAAAAAAAAA",
    "0ii02AAAAAAAAAAAAAAA",
    "0cu02AAAAAAAAAAAAAAA",
    "0de02AAAAAAAAAAAAAAA",
    "job02AAAAAAAAAAAAAAA",
    "loc02AAAAAAAAAAAAAAA",
    "cls02AAAAAAAAAAAAAAA",
    "emp02AAAAAAAAAAAAAAA",
    "00802AAAAAAAAAAAAAAA",
    "00902AAA",
    "2024-02-29",
    "2025-02-29",
    "2025-02-30",
    "0050-01-01",
    "2024-1-01",
    "BILLCOM_X",
    "_X",
    "1X",
    "billcom_x",
    "01ABCDEF2345678901AB",
    "ABCDEFGHIJKLMNOPQRST",
    "a@b.c",
    "sandbox",
    "production",
    "emulator",
    "ledger",
    "billcom",
    "bank",
    "expense",
    "accounts-payable",
    "USD",
    "usd",
    "http://127.0.0.1:4010/connect",
    "https://x.example/a?b",
    "0 */4 * * *",
    "* *",
    "vendors",
    "bills",
    [],
    {},
    ["vendors", "bills"],
    ["bills", "vendors"],
    ["vendors", "vendors"],
    ["bils"],
    [{}],
    [1]
  ),
  fc.string({ maxLength: 30 }),
  fc.integer({ min: -5, max: 30000 })
)

const mutation = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom("replace", "delete", "add"),
  value: interesting,
  key: fc.constantFrom("version", "name", "extra", "billcomId", "number", "parent", "stages", "seed", "active", "x")
})

describe("ajv (the JSON Schema) and Schema.decode accept and reject the same documents", () => {
  const samples = validSamples()

  it("every valid sample is accepted by both", () => {
    expect(samples.length).toBeGreaterThan(10)
    for (const { kind, value, from } of samples) {
      expect(decodes(kind, value), `decode ${from}`).toBe(true)
      expect(ajvAccepts(kind, value), `ajv ${from}`).toBe(true)
    }
  })

  it("hand-picked invalid documents are rejected by both", () => {
    const pipeline = samples.find((s) => s.from === "pipelines/p.yaml")!.value as any
    const cases: Array<[FileKindName, unknown]> = [
      ["pipeline", { ...pipeline, version: 2 }],
      ["pipeline", { ...pipeline, cutoff: "2025-02-30" }],
      ["pipeline", { ...pipeline, cutoff: "0050-02-29" }],
      ["pipeline", { ...pipeline, sync: { stages: ["vendors", "vendors"] } }],
      ["pipeline", { ...pipeline, sync: { pageSize: 101 } }],
      ["pipeline", { ...pipeline, sync: { retry: { attempts: 1.5 } } }],
      [
        "pipeline",
        { ...pipeline, billcom: { ...pipeline.billcom, credentials: { username: "a@b.c", password: "X" } } }
      ],
      [
        "pipeline",
        {
          ...pipeline,
          billcom: { ...pipeline.billcom, credentials: { username: "ABCDEF1234567890ABCD", password: "X" } }
        }
      ],
      ["pipeline", { ...pipeline, billcom: { ...pipeline.billcom, organizationId: "00902AAAAAAAAAAAAAAA" } }],
      ["pipeline", { ...pipeline, coa: [] }],
      ["pipeline", { ...pipeline, ledger: { apAccount: "2000", currency: "usd" } }],
      ["pipeline", "a string"],
      ["accounts", { accounts: [{ number: 1000, name: "x", type: "bank" }] }],
      ["accounts", { accounts: [{ number: "1000", name: "", type: "bank" }] }],
      ["accounts", { accounts: [{ number: "1000", name: "x", type: "bank", active: "yes" }] }],
      ["vendors", { vendors: [{ billcomId: "0ca02AAAAAAAAAAAAAAA", ledgerVendor: "V" }] }],
      ["funding-accounts", { fundingAccounts: [{ billcomId: "00902AAAAAAAAAAAAAAA", ledgerAccount: "1000" }] }],
      ["classifications", { departments: [{ billcomId: "job02AAAAAAAAAAAAAAA", ledgerValue: "X" }] }],
      ["classifications", { departments: null }]
    ]
    for (const [kind, value] of cases) {
      expect([decodes(kind, value), ajvAccepts(kind, value)], JSON.stringify(value).slice(0, 200)).toEqual([
        false,
        false
      ])
    }
  })

  it("random mutations of valid documents: both agree (property test)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        ({ kind, value }, mutations) => {
          let doc = value as Json
          for (const m of mutations) {
            const paths = pathsOf(doc)
            const path = paths[m.pick % paths.length]!
            if (m.op === "replace")
              doc =
                path.length === 0
                  ? m.value
                  : setAt(doc, path, (p, k) => {
                      p[k] = m.value
                    })
            else if (m.op === "delete" && path.length > 0)
              doc = setAt(doc, path, (p, k) => {
                if (Array.isArray(p)) p.splice(Number(k), 1)
                else delete p[k]
              })
            else if (m.op === "add") {
              const target = setAt(doc, [...path, "__"], () => {})
              let node: any = target
              for (const seg of path) node = node[seg]
              if (node !== null && typeof node === "object" && !Array.isArray(node)) node[m.key] = m.value
              doc = target
            }
          }
          expect(ajvAccepts(kind, doc), JSON.stringify(doc).slice(0, 300)).toBe(decodes(kind, doc))
        }
      ),
      { numRuns: 3000 }
    )
  })
})
