import { Ajv, type ErrorObject, type ValidateFunction } from "ajv"
import addFormatsModule from "ajv-formats"
import { Either, ParseResult, Schema } from "effect"
import * as NodePath from "node:path"
import type { Problem } from "./errors.ts"
import { FileKinds, schemaFileName, type FileKindName } from "./files.ts"
import { jsonSchemaOf } from "./json-schema.ts"
import { problemAt, showPath, type Path, type SourceFile } from "./source.ts"

const addFormats = addFormatsModule.default

/**
 * ajv validators compiled from the same generated JSON Schema that schemas/ holds — all of them,
 * once, when this module loads (every command that reads config checks every kind it meets), so
 * there is no cache to fill and no state to share between loads.
 */
const VALIDATORS: ReadonlyMap<FileKindName, ValidateFunction> = (() => {
  const ajv = addFormats(new Ajv({ allErrors: true, strict: true }))
  return new Map(
    (Object.keys(FileKinds) as Array<FileKindName>).map((kind) => [kind, ajv.compile(jsonSchemaOf(kind))] as const)
  )
})()

export const validatorFor = (kind: FileKindName): ValidateFunction => VALIDATORS.get(kind)!

const MODELINE = /^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$/

/**
 * The `# yaml-language-server: $schema=…` modeline must be in the file's leading comments and point
 * at schemas/<kind>.schema.json of this repository (relative to the file), so editors validate and
 * autocomplete the file against the right schema.
 */
export const checkModeline = (
  source: SourceFile,
  absFile: string,
  root: string,
  kind: FileKindName
): Array<Problem> => {
  const expectedAbs = NodePath.join(root, "schemas", schemaFileName(kind))
  const expected = NodePath.relative(NodePath.dirname(absFile), expectedAbs).split(NodePath.sep).join("/")
  const lines = source.text.replace(/^\uFEFF/, "").split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim()
    if (line === "") continue
    if (!line.startsWith("#")) break
    const m = MODELINE.exec(line)
    if (m === null) continue
    const target = m[1] ?? ""
    const ok = /^https?:\/\//.test(target)
      ? target.endsWith(`/${schemaFileName(kind)}`)
      : NodePath.resolve(NodePath.dirname(absFile), target) === expectedAbs
    if (ok) return []
    return [
      {
        file: source.file,
        line: i + 1,
        col: (lines[i] ?? "").indexOf(target) + 1,
        message: `the schema modeline points to ${target}, but this file needs ${schemaFileName(kind)}: use # yaml-language-server: $schema=${expected}`
      }
    ]
  }
  return [
    {
      file: source.file,
      line: 1,
      col: 1,
      message: `missing schema modeline: start the file with # yaml-language-server: $schema=${expected}`
    }
  ]
}

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0
      row[j] = Math.min(
        (row[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        prev + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1)
      )
      prev = tmp
    }
  }
  return row[b.length] ?? 0
}

const unknownKeyMessage = (path: Path, allowed: ReadonlyArray<string>): string => {
  const key = String(path[path.length - 1])
  const where = path.length > 1 ? ` in ${showPath(path.slice(0, -1))}` : ""
  const close = allowed
    .filter((a) => distance(key, a) <= Math.max(1, Math.floor(a.length / 4)))
    .sort((a, b) => distance(key, a) - distance(key, b))
  const hint =
    close[0] !== undefined
      ? `: did you mean ${JSON.stringify(close[0])}?`
      : allowed.length > 0
        ? `: allowed keys: ${allowed.join(", ")}`
        : ""
  return `unknown key ${JSON.stringify(key)}${where}${hint}`
}

const withPath = (path: Path, message: string): string =>
  path.length === 0 ? message : `${showPath(path)}: ${message}`

const isCredential = (path: Path): boolean => path[0] === "billcom" && path[1] === "credentials" && path.length === 3

/** Effect's messages, made to read well next to a file position. */
const effectMessage = (issue: ParseResult.ArrayFormatterIssue, actual: unknown): string => {
  const path = issue.path as Path
  // Whatever was written under credentials may be a secret: never echo it.
  if (isCredential(path) && issue._tag !== "Missing" && issue._tag !== "Unexpected" && typeof actual !== "string") {
    return withPath(
      path,
      "must be the NAME of an environment variable (e.g. BILLCOM_ACME_PASSWORD); put the secret itself in that variable"
    )
  }
  switch (issue._tag) {
    case "Missing":
      return `${showPath(path)} is required`
    case "Unexpected": {
      const allowed = [...issue.message.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? "")
      return unknownKeyMessage(path, allowed)
    }
    default: {
      const m = /^Expected (.+), actual (.+)$/s.exec(issue.message)
      if (m !== null) {
        const [expected, found] = [m[1] ?? "", m[2] ?? ""]
        const choices = expected.split(" | ")
        if (choices.length > 1 && choices.every((c) => c.startsWith('"'))) {
          return withPath(path, `${found} is not one of ${choices.map((c) => c.slice(1, -1)).join(", ")}`)
        }
        const hint =
          expected === "string" && (typeof actual === "number" || typeof actual === "boolean")
            ? ` (YAML read ${found} as a ${typeof actual}; quote it: "${found}")`
            : ""
        return withPath(path, `expected ${expected.replace(/^an? /, "")}, found ${found}${hint}`)
      }
      return withPath(path, issue.message)
    }
  }
}

const valueAt = (value: unknown, path: Path): unknown =>
  path.reduce<unknown>(
    (v, seg) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[seg] : undefined),
    value
  )

const ajvPath = (error: ErrorObject): Path => {
  const segments =
    error.instancePath === ""
      ? []
      : error.instancePath
          .slice(1)
          .split("/")
          .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
  const path: Array<string | number> = segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s))
  if (error.keyword === "required") path.push(String(error.params["missingProperty"]))
  if (error.keyword === "additionalProperties") path.push(String(error.params["additionalProperty"]))
  return path
}

const pathKey = (path: Path): string => path.map(String).join("/")

export interface CheckedFile<A> {
  readonly value: A | undefined
  readonly problems: Array<Problem>
}

/**
 * Checks one parsed file against its schema: effect/Schema decoding gives the messages (every
 * issue, excess keys are errors) and ajv runs the generated JSON Schema, as an editor or CI would.
 * An ajv error at a path Schema did not flag is reported too, so the two can never silently disagree.
 */
export const checkFile = <K extends FileKindName>(
  source: SourceFile,
  kind: K
): CheckedFile<Schema.Schema.Type<(typeof FileKinds)[K]["schema"]>> => {
  const value = source.value
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const found = Array.isArray(value) ? "a list" : `a ${typeof value} (${JSON.stringify(value)})`
    return {
      value: undefined,
      problems: [
        problemAt(source, [], `the file must hold a mapping (key: value lines) at the top level, found ${found}`)
      ]
    }
  }
  const problems: Array<Problem> = []
  const seen = new Set<string>()
  const decoded = Schema.decodeUnknownEither(FileKinds[kind].schema as Schema.Schema<unknown, unknown, never>, {
    errors: "all",
    onExcessProperty: "error"
  })(value)
  if (Either.isLeft(decoded)) {
    // A literal union fails once per member ("Expected "bank", actual …"); those become one problem.
    const literals = new Map<string, { readonly path: Path; readonly choices: Array<string> }>()
    for (const issue of ParseResult.ArrayFormatter.formatErrorSync(decoded.left)) {
      const path = issue.path as Path
      const key = pathKey(path)
      const literal = issue._tag === "Type" ? /^Expected ("[^"]*"|\d+), actual /.exec(issue.message) : null
      if (literal !== null) {
        const entry = literals.get(key) ?? { path, choices: [] }
        entry.choices.push((literal[1] ?? "").replace(/^"|"$/g, ""))
        literals.set(key, entry)
        continue
      }
      if (seen.has(key) && issue._tag !== "Unexpected") continue
      seen.add(key)
      problems.push(
        problemAt(
          source,
          path,
          effectMessage(issue, valueAt(value, path)),
          issue._tag === "Unexpected" ? "key" : "value"
        )
      )
    }
    for (const [key, { path, choices }] of literals) {
      if (seen.has(key)) continue
      seen.add(key)
      const actual = valueAt(value, path)
      const found = isCredential(path) ? "this value" : JSON.stringify(actual)
      const message =
        choices.length === 1 ? `must be ${choices[0]}, found ${found}` : `${found} is not one of ${choices.join(", ")}`
      problems.push(problemAt(source, path, withPath(path, message)))
    }
  }
  const validate = validatorFor(kind)
  if (!validate(value)) {
    for (const error of validate.errors ?? []) {
      const path = ajvPath(error)
      if (seen.has(pathKey(path))) continue
      seen.add(pathKey(path))
      const message =
        error.keyword === "required"
          ? `${showPath(path)} is required`
          : error.keyword === "additionalProperties"
            ? unknownKeyMessage(path, [])
            : withPath(path, error.message ?? error.keyword)
      problems.push(problemAt(source, path, message, error.keyword === "additionalProperties" ? "key" : "value"))
    }
  }
  const typed =
    Either.isRight(decoded) && problems.length === 0
      ? (decoded.right as Schema.Schema.Type<(typeof FileKinds)[K]["schema"]>)
      : undefined
  return { value: typed, problems }
}
