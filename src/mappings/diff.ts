import { structuredPatch } from "diff"

/**
 * A unified diff of two texts (3 lines of context), as `git diff` prints it, for
 * `mappings suggest --dry-run`. The diff itself is jsdiff's (`structuredPatch`); only the git-style
 * header (`a/`, `b/`, `/dev/null` for a new file) is ours.
 */
export const unifiedDiff = (path: string, before: string | undefined, after: string, context = 3): string => {
  const patch = structuredPatch(`a/${path}`, `b/${path}`, before ?? "", after, undefined, undefined, { context })
  if (patch.hunks.length === 0) return ""
  const lines = [`--- ${before === undefined ? "/dev/null" : `a/${path}`}`, `+++ b/${path}`]
  for (const hunk of patch.hunks) {
    // An empty side starts at line 0, as in git's and GNU diff's output.
    const oldStart = hunk.oldLines === 0 ? hunk.oldStart - 1 : hunk.oldStart
    const newStart = hunk.newLines === 0 ? hunk.newStart - 1 : hunk.newStart
    lines.push(`@@ -${oldStart},${hunk.oldLines} +${newStart},${hunk.newLines} @@`, ...hunk.lines)
  }
  return lines.join("\n") + "\n"
}
