#!/usr/bin/env node
// billsync runs the compiled CLI in dist/ (built by `npm run build`, which `npm ci` runs as
// `prepare`): no TypeScript is compiled at start-up. In a source checkout whose dist/ is missing
// or older than src/ (an edit since the last build) it runs the sources through tsx instead, so
// it never runs stale code; `npm run build` makes it fast again.
import { distState } from "./dist.mjs"

if (distState() === "fresh") {
  await import("../dist/cli/main.js")
} else {
  const { register } = await import("tsx/esm/api")
  register()
  await import("../src/cli/main.ts")
}
