import { NodeFileSystem } from "@effect/platform-node"
import { Cause, Effect, Exit } from "effect"
import fc from "fast-check"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { loadPipeline } from "../../src/config/load.ts"

/**
 * Bad-YAML fuzz: mutated pipeline files (byte edits, structural edits of a valid file, random YAML
 * documents, random text) go through the config loader in-process; every case must end in either
 * a loaded pipeline or a ConfigError whose problems all carry file, line ≥ 1, col ≥ 1 and a
 * message — never a defect (crash) and never a hang (each case has a time limit).
 */
export interface FuzzResult {
  readonly cases: number
  readonly valid: number
  readonly positionedErrors: number
  readonly crashes: number
  readonly hangs: number
  readonly unpositioned: number
  readonly samples: ReadonlyArray<string>
}

const CASE_TIMEOUT_MS = 5_000

/** Structural edits of a valid file: drop/duplicate/swap lines, retype a value, break indentation. */
const lineEdit = (base: string) =>
  fc
    .tuple(
      fc.nat(),
      fc.nat(),
      fc.constantFrom("drop", "dup", "swap", "indent", "value", "insert", "truncate"),
      fc.string({ maxLength: 20 }),
      fc.anything({ maxDepth: 2 })
    )
    .map(([a, b, op, text, value]) => {
      const lines = base.split("\n")
      const i = a % lines.length
      const j = b % lines.length
      switch (op) {
        case "drop":
          lines.splice(i, 1)
          break
        case "dup":
          lines.splice(i, 0, lines[i]!)
          break
        case "swap":
          ;[lines[i], lines[j]] = [lines[j]!, lines[i]!]
          break
        case "indent":
          lines[i] = ` ${text.length % 2 === 0 ? "\t" : "   "}${lines[i]}`
          break
        case "value": {
          const line = lines[i]!
          const colon = line.indexOf(":")
          if (colon >= 0) lines[i] = `${line.slice(0, colon + 1)} ${JSON.stringify(value) ?? "null"}`
          break
        }
        case "insert":
          lines.splice(i, 0, text)
          break
        case "truncate":
          return lines.join("\n").slice(0, (a % base.length) + 1)
      }
      return lines.join("\n")
    })

const byteEdit = (base: string) =>
  fc
    .array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom(
          ":",
          "-",
          "[",
          "{",
          "}",
          "]",
          "&",
          "*",
          "!",
          "|",
          ">",
          "'",
          '"',
          "#",
          "\t",
          "\n",
          "\u0000",
          "%",
          "@",
          "`",
          "\\"
        )
      ),
      { minLength: 1, maxLength: 6 }
    )
    .map((edits) => {
      let s = base
      for (const [pos, ch] of edits) {
        const p = pos % (s.length + 1)
        s = s.slice(0, p) + ch + s.slice(p)
      }
      return s
    })

const MODELINE = "# yaml-language-server: $schema=../schemas/pipeline.schema.json\n"

export const yamlCases = (base: string) =>
  fc.oneof(
    { arbitrary: lineEdit(base), weight: 4 },
    { arbitrary: byteEdit(base), weight: 3 },
    { arbitrary: fc.anything({ maxDepth: 3 }).map((v) => `${MODELINE}${JSON.stringify(v) ?? "null"}\n`), weight: 1 },
    { arbitrary: fc.string({ maxLength: 200 }).map((s) => `${MODELINE}${s}`), weight: 1 },
    {
      arbitrary: fc.constantFrom(
        `${MODELINE}a: &x [*x]\n`,
        `${MODELINE}a: *nope\n`,
        `${MODELINE}${"[".repeat(5000)}`,
        `${MODELINE}? [a]\n: b\n`,
        `${MODELINE}version: 1\nversion: 2\n`,
        "",
        "\uFEFF",
        `${MODELINE}---\na: 1\n---\nb: 2\n`
      ),
      weight: 1
    }
  )

/** Runs `cases` fuzz cases against pipelines/fuzz.yaml in `root` (a workspace whose mappings/fuzz exist). */
export const fuzzLoader = async (root: string, base: string, cases: number, seed: number): Promise<FuzzResult> => {
  let valid = 0
  let positioned = 0
  let crashes = 0
  let hangs = 0
  let unpositioned = 0
  const samples: Array<string> = []
  const file = join(root, "pipelines", "fuzz.yaml")
  const inputs = fc.sample(yamlCases(base), { numRuns: cases, seed })
  for (const text of inputs) {
    writeFileSync(file, text)
    const exit = await Effect.runPromiseExit(
      loadPipeline("fuzz", { cwd: root }).pipe(
        Effect.provide(NodeFileSystem.layer),
        Effect.timeoutFail({ duration: CASE_TIMEOUT_MS, onTimeout: () => "hang" as const })
      )
    )
    if (Exit.isSuccess(exit)) {
      valid++
      continue
    }
    const failure = Cause.failureOption(exit.cause)
    if (failure._tag === "None") {
      crashes++
      if (samples.length < 5)
        samples.push(`crash: ${Cause.pretty(exit.cause).slice(0, 300)} on ${JSON.stringify(text.slice(0, 120))}`)
    } else if (failure.value === "hang") {
      hangs++
      if (samples.length < 5) samples.push(`hang on ${JSON.stringify(text.slice(0, 120))}`)
    } else {
      const problems = failure.value.problems
      const ok =
        problems.length > 0 &&
        problems.every((p) => p.file !== "" && p.line >= 1 && p.col >= 1 && p.message.trim() !== "")
      if (ok) positioned++
      else {
        unpositioned++
        if (samples.length < 5)
          samples.push(
            `unpositioned: ${JSON.stringify(problems).slice(0, 300)} on ${JSON.stringify(text.slice(0, 120))}`
          )
      }
    }
  }
  return { cases, valid, positionedErrors: positioned, crashes, hangs, unpositioned, samples }
}
