import { build, distState } from "../../bin/dist.mjs"

/**
 * The CLI tests spawn `bin/billsync.mjs`, which runs the compiled dist/ — what users run. When a
 * source file changed since the last build, rebuild once here (a few seconds) so the tests exercise
 * dist/ and not the tsx fallback.
 */
export default function setup(): void {
  if (distState() !== "fresh") build()
}
