import * as Fs from "node:fs/promises"
import * as NodePath from "node:path"
import { pathToFileURL } from "node:url"
import { FileKinds, type FileKindName, schemaFileName } from "../src/config/files.ts"
import { jsonSchemaText } from "../src/config/json-schema.ts"
import { referenceMarkdown } from "../src/config/reference.ts"

/** Every generated file, relative to the repository root, with its exact content. */
export const generatedFiles = (): Array<{ readonly path: string; readonly text: string }> => [
  ...(Object.keys(FileKinds) as Array<FileKindName>).map((kind) => ({
    path: `schemas/${schemaFileName(kind)}`,
    text: jsonSchemaText(kind)
  })),
  { path: "docs/config-reference.md", text: referenceMarkdown() }
]

// `npm run schemas` regenerates schemas/*.schema.json and docs/config-reference.md.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = process.cwd()
  for (const { path, text } of generatedFiles()) {
    await Fs.mkdir(NodePath.dirname(NodePath.join(root, path)), { recursive: true })
    await Fs.writeFile(NodePath.join(root, path), text)
    process.stdout.write(`wrote ${path}\n`)
  }
}
