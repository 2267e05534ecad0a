import {
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node
} from "yaml"
import type { Problem } from "./errors.ts"

/** Files larger than this are refused before parsing: config is small, a huge file is a mistake or an attack. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024
/** Expanding more aliases than this is treated as an alias bomb ("billion laughs"). */
export const MAX_ALIAS_COUNT = 100

/** Deeper flow nesting (`[[[[…`) than this is refused before parsing: the parser's memory grows with it. */
export const MAX_FLOW_DEPTH = 256

/**
 * The offset where `[`/`{` nesting first exceeds MAX_FLOW_DEPTH, or -1. A cheap scan that skips
 * quoted strings and comments; brackets in block scalars may count too, which is harmless at this depth.
 */
const flowDepthExceeded = (text: string): number => {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === "\n" || i === 0) {
      // Compact block nesting on one line ("- - - - x", "? ? ? x") costs the parser the same.
      const m = /^\n?[ \t]*(?:[-?:](?:[ \t]+|(?=\n)))+/.exec(text.slice(i, i + 4 * MAX_FLOW_DEPTH))
      if (m !== null && (m[0].match(/[-?:]/g)?.length ?? 0) > MAX_FLOW_DEPTH) return i + (c === "\n" ? 1 : 0)
    }
    if (c === "[" || c === "{") {
      if (++depth > MAX_FLOW_DEPTH) return i
    } else if (c === "]" || c === "}") depth = Math.max(0, depth - 1)
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1] ?? ""))) {
      const end = text.indexOf("\n", i)
      i = end < 0 ? text.length : end
    } else if (c === '"' || c === "'") {
      // Only quotes that open a scalar (after indentation, ':', ',', '[', '{', '-' or '?').
      const before = text.slice(Math.max(0, i - 2), i)
      if (i === 0 || /(^|[\s:,[{?-])\s*$/.test(before)) {
        for (i++; i < text.length; i++) {
          if (c === '"' && text[i] === "\\") i++
          else if (text[i] === c) {
            if (c === "'" && text[i + 1] === "'") i++
            else break
          }
        }
      }
    }
  }
  return -1
}

/** A parsed YAML file that keeps its source positions, so any path in it maps back to `line:col`. */
export interface SourceFile {
  /** Display path, relative to the repository root. */
  readonly file: string
  readonly text: string
  readonly doc: Document.Parsed
  readonly lineCounter: LineCounter
  /** The plain JavaScript value (an empty document reads as an empty mapping). */
  readonly value: unknown
}

export type Path = ReadonlyArray<string | number>

const at = (file: string, lineCounter: LineCounter, offset: number, message: string): Problem => {
  const { line, col } = lineCounter.linePos(offset)
  return { file, line, col, message }
}

const firstAlias = (doc: Document.Parsed): number => {
  let offset = 0
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0] ?? 0
      return visit.BREAK
    }
  })
  return offset
}

/**
 * Parses YAML strictly: syntax errors, duplicate keys, unknown tags (`!!js/function`, `!foo`) and
 * several documents in one file are all problems with their position. Never throws: whatever the
 * parser or the alias expansion raises becomes a problem too.
 */
export const parseSource = (
  file: string,
  text: string
): { readonly source?: SourceFile; readonly problems: Array<Problem> } => {
  const lineCounter = new LineCounter()
  if (Buffer.byteLength(text, "utf8") > MAX_FILE_BYTES) {
    return {
      problems: [
        {
          file,
          line: 1,
          col: 1,
          message: `file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB; config files are expected to be small`
        }
      ]
    }
  }
  const tooDeep = flowDepthExceeded(text)
  if (tooDeep >= 0) {
    lineCounter.addNewLine(0)
    for (let i = text.indexOf("\n"); i >= 0 && i < tooDeep; i = text.indexOf("\n", i + 1)) lineCounter.addNewLine(i + 1)
    return {
      problems: [
        at(file, lineCounter, tooDeep, `the document is nested too deeply (more than ${MAX_FLOW_DEPTH} levels)`)
      ]
    }
  }
  let doc: Document.Parsed
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, version: "1.2" })
  } catch (cause) {
    const message = cause instanceof Error ? errorMessage("", cause.message) : String(cause)
    return { problems: [{ file, line: 1, col: 1, message: `cannot parse YAML: ${message}` }] }
  }
  const problems: Array<Problem> = []
  for (const error of doc.errors)
    problems.push(at(file, lineCounter, error.pos[0], errorMessage(error.code, error.message)))
  for (const warning of doc.warnings) {
    const message =
      warning.code === "TAG_RESOLVE_FAILED"
        ? `${firstLine(warning.message)}: custom YAML tags are not allowed in config files`
        : firstLine(warning.message)
    problems.push(at(file, lineCounter, warning.pos[0], message))
  }
  if (problems.length > 0) return { problems }
  let value: unknown
  try {
    value = doc.contents === null ? {} : doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (cause) {
    const message =
      cause instanceof Error && /alias/i.test(cause.message)
        ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}); anchors and aliases may not be used to inflate a document`
        : `cannot read YAML: ${cause instanceof Error ? errorMessage("", cause.message) : String(cause)}`
    return { problems: [at(file, lineCounter, firstAlias(doc), message)] }
  }
  if (value === null || value === undefined) value = {}
  return { source: { file, text, doc, lineCounter, value }, problems }
}

const errorMessage = (code: string, message: string): string => {
  if (code === "DUPLICATE_KEY") return "duplicate key: a key may appear only once in a mapping"
  if (code === "MULTIPLE_DOCS")
    return "a config file holds one YAML document: remove the --- separator and what follows, or split it into files"
  if (/call stack/i.test(message)) return "the document is nested too deeply"
  return firstLine(message)
}

const firstLine = (message: string): string =>
  (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "")

const resolve = (doc: Document.Parsed, node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node)

const keyText = (key: unknown): string | undefined =>
  isScalar(key) ? String(key.value) : typeof key === "string" ? key : undefined

const startOf = (node: unknown): number | undefined => (isNode(node) && node.range ? node.range[0] : undefined)

/**
 * The position of the node at `path`: the value itself, or with `target: "key"` the key that names
 * it (for unexpected keys). When the path does not exist (a missing key) it is the deepest node
 * that does, reported at the key that names that node when there is one.
 */
export const positionOf = (
  source: SourceFile,
  path: Path,
  target: "value" | "key" = "value"
): { line: number; col: number } => {
  let node: unknown = source.doc.contents
  let keyNode: unknown = undefined
  let complete = true
  for (const segment of path) {
    node = resolve(source.doc, node)
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(segment))
      if (pair === undefined) {
        complete = false
        break
      }
      keyNode = pair.key
      const value = pair.value
      node =
        value === null || (isScalar(value) && value.value === null && startOf(value) === undefined) ? pair.key : value
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment]
      if (item === undefined) {
        complete = false
        break
      }
      keyNode = undefined
      node = item
    } else {
      complete = false
      break
    }
  }
  const preferKey = (target === "key" && complete) || !complete
  const chosen = (preferKey && keyNode !== undefined ? startOf(keyNode) : undefined) ?? startOf(node) ?? 0
  return source.lineCounter.linePos(chosen)
}

export const problemAt = (
  source: SourceFile,
  path: Path,
  message: string,
  target: "value" | "key" = "value"
): Problem => ({
  file: source.file,
  ...positionOf(source, path, target),
  message
})

/** `accounts[3].parent` — how a path reads in a message. */
export const showPath = (path: Path): string =>
  path.reduce<string>(
    (acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc === "" ? seg : `${acc}.${seg}`),
    ""
  )

export type { Node }
