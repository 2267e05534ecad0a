import { isMap, isScalar, isSeq, parseDocument, Scalar, type Document, type YAMLMap, type YAMLSeq } from "yaml"
import type { Suggestion } from "./suggest.ts"

const schemaOf: Record<string, string> = {
  "accounts.yaml": "accounts",
  "vendors.yaml": "vendors",
  "funding-accounts.yaml": "funding-accounts",
  "items.yaml": "items",
  "customers.yaml": "customers",
  "classifications.yaml": "classifications"
}

const keyField: Record<string, string> = {
  vendors: "ledgerVendor",
  fundingAccounts: "ledgerAccount",
  items: "ledgerItem",
  customers: "ledgerCustomer",
  departments: "ledgerValue",
  jobs: "ledgerValue",
  locations: "ledgerValue",
  accountingClasses: "ledgerValue",
  employees: "ledgerValue"
}

/** A missing mapping file starts with its schema modeline (docs/design.md). */
const emptyFile = (file: string) =>
  `# yaml-language-server: $schema=../../schemas/${schemaOf[file] ?? file.replace(/\.yaml$/, "")}.schema.json\n`

const quoted = (value: string) => {
  const s = new Scalar(value)
  s.type = Scalar.QUOTE_DOUBLE
  return s
}

/** The sequence under `section`, created (block style) when the file has none. */
const sequence = (doc: Document, section: string): YAMLSeq => {
  const existing = doc.get(section, true)
  if (isSeq(existing)) return existing
  const seq = doc.createNode([]) as YAMLSeq
  seq.flow = false
  doc.set(section, seq)
  return seq
}

/**
 * Applies suggestions to mapping files with the yaml Document API, so comments, key order and
 * quoting of everything already there survive: links are appended to their section (in the style
 * of the section's existing entries); account suggestions set `billcomId` on the ledger account.
 * Returns the new text of every changed file.
 */
export const applySuggestions = (
  files: ReadonlyMap<string, string | undefined>,
  suggestions: ReadonlyArray<Suggestion>
): Map<string, string> => {
  const out = new Map<string, string>()
  const byFile = new Map<string, Array<Suggestion>>()
  for (const s of suggestions) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s])
  for (const [file, list] of byFile) {
    const existing = files.get(file)
    const doc = parseDocument(existing ?? "")
    if (doc.contents === null) (doc as Document).contents = doc.createNode({})
    for (const s of list) {
      if (file === "accounts.yaml") {
        const account = sequence(doc, "accounts").items.find((i) => isMap(i) && String(i.get("number")) === s.target)
        if (isMap(account)) account.set("billcomId", s.billcomId)
        continue
      }
      const seq = sequence(doc, s.section)
      const flow = seq.items.length > 0 && seq.items.every((i) => isMap(i) && i.flow === true)
      const nameQuoted = seq.items.some(
        (i) =>
          isMap(i) &&
          isScalar(i.get("billcomName", true)) &&
          (i.get("billcomName", true) as Scalar).type === Scalar.QUOTE_DOUBLE
      )
      const entry = doc.createNode({ billcomId: s.billcomId }) as YAMLMap
      entry.set("billcomName", nameQuoted ? quoted(s.billcomName) : s.billcomName)
      // Account numbers are text: quote them so YAML does not read "1000" as a number.
      entry.set(keyField[s.section] ?? "ledgerValue", s.section === "fundingAccounts" ? quoted(s.target) : s.target)
      entry.flow = flow
      seq.items.push(entry)
    }
    const text = doc.toString({ lineWidth: 0 })
    const after = existing === undefined ? emptyFile(file) + text : text
    if (after !== existing) out.set(file, after)
  }
  return out
}
