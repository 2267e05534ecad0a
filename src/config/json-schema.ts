import { JSONSchema, type Schema } from "effect"
import { FileKinds, type FileKindName } from "./files.ts"

type Json = null | boolean | number | string | Array<Json> | { [key: string]: Json }

/**
 * Tidies effect's draft-07 output for people reading it in an editor: filter names that effect
 * records as titles ("between(1, 100)") are dropped below the root, as are empty `required` lists.
 * Nothing that changes validation is touched.
 */
const tidy = (node: Json, root: boolean): Json => {
  if (Array.isArray(node)) return node.map((n) => tidy(n, false))
  if (node === null || typeof node !== "object") return node
  const out: { [key: string]: Json } = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === "title" && !root) continue
    if (key === "required" && Array.isArray(value) && value.length === 0) continue
    // examples/default/enum hold data, not schemas: copy them as they are.
    out[key] = key === "examples" || key === "default" || key === "enum" ? value : tidy(value, false)
  }
  return out
}

/** The JSON Schema (draft-07) of one kind of file, generated from its effect/Schema. */
export const jsonSchemaOf = (kind: FileKindName): Record<string, unknown> => {
  const generated = JSONSchema.make(FileKinds[kind].schema as Schema.Schema<unknown, unknown, never>) as unknown as Json
  const tidied = tidy(generated, true) as { [key: string]: Json }
  const { $schema, ...rest } = tidied
  return { $schema: $schema ?? "http://json-schema.org/draft-07/schema#", ...rest }
}

/** The exact text committed as schemas/<kind>.schema.json. */
export const jsonSchemaText = (kind: FileKindName): string => `${JSON.stringify(jsonSchemaOf(kind), null, 2)}\n`
