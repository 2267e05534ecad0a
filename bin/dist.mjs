// Whether dist/ (the compiled CLI) is up to date with src/, and how to rebuild it. Plain JavaScript
// with no dependencies: bin/billsync.mjs runs it on every start (a stat per source file, ~2 ms).
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..")
export const STAMP = join(ROOT, "dist", ".build-stamp")

const newestMtime = (dir) => {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** "fresh", "stale" (a source file changed after the last build) or "missing"; a checkout without src/ (a package) is fresh. */
export const distState = () => {
  if (!existsSync(STAMP)) return "missing"
  if (!existsSync(join(ROOT, "src"))) return "fresh"
  const built = statSync(STAMP).mtimeMs
  return newestMtime(join(ROOT, "src")) <= built && statSync(join(ROOT, "tsconfig.build.json")).mtimeMs <= built
    ? "fresh"
    : "stale"
}

/** `npm run build`: src/ → dist/ with tsc (no type check: `npm run typecheck` does that), then the stamp. */
export const build = () => {
  const started = Date.now()
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.build.json")],
    { stdio: "inherit" }
  )
  writeFileSync(STAMP, `${new Date(started).toISOString()}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "build") build()
