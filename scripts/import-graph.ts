/**
 * The import graph of `src/`: which file imports which (relative imports only, `import type` included —
 * a type arrow is still an arrow), folded into folders ("rooms"). The architecture test asserts the
 * dependency rule over it; run directly it prints the folder-to-folder table and any cycles:
 *
 *   node --import tsx scripts/import-graph.ts [root]
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"

export interface ImportGraph {
  /** file (relative to src/) → the src/ files it imports */
  readonly files: ReadonlyMap<string, ReadonlyArray<string>>
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^"';]*?from\s+["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g

const sources = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : []
  })

export const importGraph = (root: string): ImportGraph => {
  const src = resolve(root, "src")
  const files = new Map<string, Array<string>>()
  for (const file of sources(src)) {
    const text = readFileSync(file, "utf8")
    const targets = new Set<string>()
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]
      if (spec === undefined) continue
      const target = relative(src, resolve(dirname(file), spec)).replace(/\.js$/, ".ts")
      if (!target.startsWith("..")) targets.add(target)
    }
    files.set(relative(src, file), [...targets].sort())
  }
  return { files }
}

/** The room of a file: its top folder under src/ (a file directly in src/ is its own room). */
export const roomOf = (file: string): string => file.split("/")[0] ?? file

/** room → room → number of file imports crossing that way (a room's imports of itself left out). */
export const roomTable = (graph: ImportGraph): Map<string, Map<string, number>> => {
  const table = new Map<string, Map<string, number>>()
  for (const [file, targets] of graph.files)
    for (const target of targets) {
      const [from, to] = [roomOf(file), roomOf(target)]
      if (from === to) continue
      const row = table.get(from) ?? new Map<string, number>()
      row.set(to, (row.get(to) ?? 0) + 1)
      table.set(from, row)
    }
  return table
}

/** Strongly connected components of more than one node (Tarjan): each is a cycle, sorted. */
export const cycles = (edges: ReadonlyMap<string, Iterable<string>>): Array<Array<string>> => {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const found: Array<Array<string>> = []
  let next = 0
  const visit = (v: string): void => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const component: Array<string> = []
      let w: string | undefined
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1) found.push(component.sort())
    }
  }
  for (const v of edges.keys()) if (!index.has(v)) visit(v)
  return found
}

const main = () => {
  const graph = importGraph(process.argv[2] ?? ".")
  const table = roomTable(graph)
  const rows = [...table]
    .flatMap(([from, row]) => [...row].map(([to, n]) => `${from} -> ${to}`.padEnd(24) + String(n)))
    .sort()
  console.log(`${graph.files.size} files in src/\n\nroom -> room        imports\n${rows.join("\n")}`)
  const folderCycles = cycles(new Map([...table].map(([from, row]) => [from, row.keys()])))
  const fileCycles = cycles(graph.files)
  console.log(
    `\nroom cycles: ${folderCycles.length === 0 ? "none" : folderCycles.map((c) => c.join(" <-> ")).join("; ")}`
  )
  console.log(`file cycles: ${fileCycles.length === 0 ? "none" : fileCycles.map((c) => c.join(" <-> ")).join("; ")}`)
}

if (import.meta.url === `file://${process.argv[1]}`) main()
