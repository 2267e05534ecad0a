import fc from "fast-check"
import * as Fs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { checkFile } from "../../src/config/check-file.ts"
import { FileKinds, type FileKindName } from "../../src/config/files.ts"
import { MAX_ALIAS_COUNT, parseSource } from "../../src/config/source.ts"
import { BASE, problemsOf, repo } from "./support.ts"

const P = "pipelines/p.yaml"
const MODELINE = "# yaml-language-server: $schema=../schemas/pipeline.schema.json\n"
const withPipeline = (body: string) => problemsOf(repo({ [P]: MODELINE + body }))

describe("hostile YAML gets a clear, positioned error, never a hang or a stack trace", () => {
  it("alias bomb (billion laughs) stops at the first alias", async () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
      "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
      "h: [*g,*g,*g,*g,*g,*g,*g,*g,*g]",
      ""
    ].join("\n")
    expect(await withPipeline(bomb)).toEqual([
      `${P}:3:8: too many alias expansions (more than ${MAX_ALIAS_COUNT}); anchors and aliases may not be used to inflate a document`
    ])
  })

  it("a few aliases are fine (shared settings)", async () => {
    const text = BASE[P]!.replace("sync:\n", "x-retry: &retry { attempts: 3 }\nsync:\n  retry: *retry\n")
    // The anchor key itself is an unknown key; the alias resolves without complaint.
    expect(await problemsOf(repo({ [P]: text }))).toEqual([
      `${P}:12:1: unknown key "x-retry": allowed keys: version, name, company, billcom, mappings, cutoff, sync, ledger, coa, schedule`
    ])
  })

  it("files over 5 MB are refused before parsing", async () => {
    const dir = repo()
    Fs.writeFileSync(NodePath.join(dir, P), MODELINE + `x: "${"a".repeat(5 * 1024 * 1024)}"\n`)
    expect(await problemsOf(dir)).toEqual([`${P}:1:1: file is larger than 5 MB; config files are expected to be small`])
  })

  it("custom tags are rejected where they appear", async () => {
    expect(await withPipeline('version: 1\nname: !!js/function "function () { return process.exit(1) }"\n')).toEqual([
      `${P}:3:7: Unresolved tag: tag:yaml.org,2002:js/function: custom YAML tags are not allowed in config files`
    ])
    expect(await withPipeline("version: !ruby/object:Gem::Installer 1\n")).toEqual([
      `${P}:2:10: Unresolved tag: !ruby/object:Gem::Installer: custom YAML tags are not allowed in config files`
    ])
  })

  it("duplicate keys point at the second key", async () => {
    expect(await withPipeline("version: 1\nname: p\nversion: 1\n")).toEqual([
      `${P}:4:1: duplicate key: a key may appear only once in a mapping`
    ])
  })

  it("a top-level scalar, list or second document", async () => {
    expect(await withPipeline("just some text\n")).toEqual([
      `${P}:2:1: the file must hold a mapping (key: value lines) at the top level, found a string ("just some text")`
    ])
    expect(await withPipeline("42\n")).toEqual([
      `${P}:2:1: the file must hold a mapping (key: value lines) at the top level, found a number (42)`
    ])
    expect(await withPipeline("- a\n- b\n")).toEqual([
      `${P}:2:1: the file must hold a mapping (key: value lines) at the top level, found a list`
    ])
    expect(await withPipeline("version: 1\n---\nversion: 1\n")).toEqual([
      `${P}:3:1: a config file holds one YAML document: remove the --- separator and what follows, or split it into files`
    ])
  })

  it("deep nesting is refused quickly, flow or block", async () => {
    expect(await withPipeline(`a: ${"[".repeat(300_000)}${"]".repeat(300_000)}\n`)).toEqual([
      `${P}:2:260: the document is nested too deeply (more than 256 levels)`
    ])
    expect(await withPipeline(`a:\n  ${"- ".repeat(300_000)}x\n`)).toEqual([
      `${P}:3:1: the document is nested too deeply (more than 256 levels)`
    ])
  })

  it("syntax errors, tabs, NUL bytes and an empty file", async () => {
    expect(await withPipeline("version: 1\nname: [unclosed\n")).toEqual([
      `${P}:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]`
    ])
    expect(await withPipeline("billcom:\n\tenvironment: sandbox\n")).toEqual([
      `${P}:3:1: Tabs are not allowed as indentation`
    ])
    const dir = repo()
    Fs.writeFileSync(NodePath.join(dir, P), Buffer.from([0, 1, 2, 0x7b]))
    expect(await problemsOf(dir)).toEqual([`${P}:1:1: not a text file (contains NUL bytes)`])
    const empty = await withPipeline("")
    expect(empty).toContain(`${P}:1:1: version is required`)
    expect(empty).toContain(`${P}:1:1: billcom is required`)
  })

  it("an unreadable path (a directory named like a pipeline) is a problem, not a crash", async () => {
    const dir = repo()
    Fs.mkdirSync(NodePath.join(dir, "pipelines/dir.yaml"))
    expect(await problemsOf(dir)).toEqual(["pipelines/dir.yaml:1:1: cannot read file: EISDIR"])
  })

  it("never throws, whatever the text (fuzz)", () => {
    const kinds = Object.keys(FileKinds) as Array<FileKindName>
    const yamlish = fc.stringMatching(/^[-a-z0-9:{}[\]&*!|>'"#%@`,?\s]{0,200}$/)
    fc.assert(
      fc.property(fc.oneof(fc.string(), yamlish), fc.constantFrom(...kinds), (text, kind) => {
        const parsed = parseSource("f.yaml", text)
        if (parsed.source !== undefined) checkFile(parsed.source, kind)
        for (const p of parsed.problems) {
          expect(p.line).toBeGreaterThanOrEqual(1)
          expect(p.col).toBeGreaterThanOrEqual(1)
        }
      }),
      { numRuns: 1500 }
    )
  })
})
