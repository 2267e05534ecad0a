import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { parse } from "yaml"

/**
 * What the CI workflows need to know about each pipeline, read straight from pipelines/*.yaml.
 * Deliberately lenient (no schema validation — `billsync validate` does that in validate.yml), so
 * generating workflows never depends on a pipeline being valid.
 */
export interface PipelineEntry {
  readonly name: string
  readonly file: string
  readonly mappingsDir: string
  readonly environment: string
  readonly organizationId: string
  readonly schedule: string | undefined
  /** Environment variable NAMES holding this pipeline's Bill.com secrets (empty for the in-process emulator). */
  readonly secretVariables: ReadonlyArray<string>
}

const DEFAULT_DEV_KEY_VARIABLE = "BILLCOM_DEFAULT_DEV_KEY"

const record = (u: unknown): Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? (u as Record<string, unknown>) : {}
const string = (u: unknown): string | undefined => (typeof u === "string" && u.trim() !== "" ? u.trim() : undefined)

export const pipelineEntryOf = (file: string, text: string): PipelineEntry => {
  const doc = record(parse(text))
  const base = file.replace(/^.*\//, "").replace(/\.ya?ml$/, "")
  const name = string(doc["name"]) ?? base
  const company = string(doc["company"]) ?? name
  const billcom = record(doc["billcom"])
  const environment = string(billcom["environment"]) ?? "sandbox"
  const credentials = record(billcom["credentials"])
  // The in-process emulator (environment emulator without baseUrl) has its own demo credentials.
  const inProcess = environment === "emulator" && string(billcom["baseUrl"]) === undefined
  const secretVariables = inProcess
    ? []
    : [
        string(credentials["devKey"]) ?? DEFAULT_DEV_KEY_VARIABLE,
        string(credentials["username"]),
        string(credentials["password"])
      ].filter((v): v is string => v !== undefined && /^[A-Z_][A-Z0-9_]*$/.test(v))
  return {
    name,
    file,
    mappingsDir: (string(doc["mappings"]) ?? `mappings/${company}`).replace(/\/+$/, ""),
    environment,
    organizationId: string(billcom["organizationId"]) ?? "",
    schedule: string(doc["schedule"]),
    secretVariables
  }
}

/** Every pipeline under `<root>/pipelines`, sorted by name. */
export const readPipelineIndex = (root: string): ReadonlyArray<PipelineEntry> => {
  let files: Array<string>
  try {
    files = readdirSync(join(root, "pipelines")).filter((f) => /\.ya?ml$/.test(f))
  } catch {
    return []
  }
  return files
    .map((f) => pipelineEntryOf(`pipelines/${f}`, readFileSync(join(root, "pipelines", f), "utf8")))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/**
 * Pipelines a change touches: its own file, or any file under its mappings folder. A change to
 * anything else under pipelines/ or mappings/ (a shared file) affects every pipeline.
 */
export const affectedPipelines = (
  changedFiles: ReadonlyArray<string>,
  pipelines: ReadonlyArray<PipelineEntry>
): ReadonlyArray<string> => {
  const affected = new Set<string>()
  for (const changed of changedFiles) {
    const owners = pipelines.filter((p) => changed === p.file || changed.startsWith(`${p.mappingsDir}/`))
    if (owners.length > 0) for (const p of owners) affected.add(p.name)
    else if (/^(pipelines|mappings)\//.test(changed)) for (const p of pipelines) affected.add(p.name)
  }
  return pipelines.map((p) => p.name).filter((n) => affected.has(n))
}
