import { Effect } from "effect"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { chromium, type Browser } from "playwright-core"

/**
 * The headless browser for tests that look at a page as a person would (the HTML report).
 *
 *   1. a system Chromium when one is installed (faster to start, nothing to unpack);
 *   2. otherwise the Chromium shipped inside the `@sparticuz/chromium` npm package (a devDependency:
 *      `npm ci` brings it, nothing is downloaded), unpacked once into node_modules/.cache — inside
 *      the clone, so a fresh machine needs nothing else.
 *
 * BILLSYNC_TEST_BROWSER forces one: `npm` (the packaged Chromium even where a system one exists —
 * how a fresh machine is checked on a developer's) or a path to a Chromium executable.
 * Every browser test should get its browser here, so they all run the same one.
 */
export type BrowserSource = { readonly kind: "system" | "npm" | "env"; readonly executablePath: string }

const SYSTEM_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable"
]

/** Flags for a system Chromium in a container (root, no GPU, no network chatter). */
const SYSTEM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

const CACHE = resolve("node_modules", ".cache", "billsync-test-browser")

/**
 * Unpacks the packaged Chromium into CACHE/<version>. The package unpacks into os.tmpdir(), so the
 * unpacking happens in a private directory (TMPDIR pointed at it for the synchronous part of the
 * call, where the package reads it) and is then renamed into place: test files (and several
 * checkouts' test runs) starting at once never see a half-written binary.
 */
const unpackNpmChromium = async (): Promise<string> => {
  const { default: Sparticuz } = await import("@sparticuz/chromium")
  const version = (
    JSON.parse(readFileSync(resolve("node_modules/@sparticuz/chromium/package.json"), "utf8")) as { version: string }
  ).version
  const target = join(CACHE, version)
  const binary = join(target, "chromium")
  if (existsSync(binary)) return binary
  mkdirSync(CACHE, { recursive: true })
  const staging = mkdtempSync(join(CACHE, `unpack-${process.pid}-`))
  const saved = process.env["TMPDIR"]
  process.env["TMPDIR"] = staging
  let pending: Promise<string>
  try {
    pending = Sparticuz.executablePath()
  } finally {
    if (saved === undefined) delete process.env["TMPDIR"]
    else process.env["TMPDIR"] = saved
  }
  await pending
  // The package's fonts.conf names Lambda's directories; ours names the fonts unpacked beside the binary.
  writeFileSync(join(staging, "fonts.conf"), fontsConf(target))
  try {
    renameSync(staging, target)
  } catch (error) {
    // Another process finished first: use its copy.
    rmSync(staging, { recursive: true, force: true })
    if (!existsSync(binary)) throw error
  }
  return binary
}

const fontsConf = (dir: string) =>
  `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(dir, "fonts")}</dir>\n  <cachedir>${join(dir, "fonts-cache")}</cachedir>\n</fontconfig>\n`

/** Which Chromium to use, given BILLSYNC_TEST_BROWSER (see above). */
export const resolveBrowserSource = async (forced: string | undefined): Promise<BrowserSource> => {
  if (forced !== undefined && forced !== "" && forced !== "npm") {
    if (!existsSync(forced)) throw new Error(`BILLSYNC_TEST_BROWSER=${forced}: no such file`)
    return { kind: "env", executablePath: forced }
  }
  const system = forced === "npm" ? undefined : SYSTEM_CANDIDATES.find((p) => existsSync(p))
  if (system !== undefined) return { kind: "system", executablePath: system }
  return { kind: "npm", executablePath: await unpackNpmChromium() }
}

let resolved: Promise<BrowserSource> | undefined

/** The Chromium the tests use (resolved once per test file). */
export const browserSource = (): Promise<BrowserSource> =>
  (resolved ??= resolveBrowserSource(process.env["BILLSYNC_TEST_BROWSER"]))

const launch = async (): Promise<Browser> => {
  const source = await browserSource()
  process.stderr.write(`[billsync tests] browser: ${source.kind} (${source.executablePath})\n`)
  if (source.kind === "npm") {
    const { default: Sparticuz } = await import("@sparticuz/chromium")
    const dir = join(source.executablePath, "..")
    return chromium.launch({
      executablePath: source.executablePath,
      args: Sparticuz.args,
      headless: true,
      // The packaged fonts (text renders without system fonts); the swiftshader libraries sit beside the binary.
      env: { ...process.env, FONTCONFIG_FILE: join(dir, "fonts.conf"), LD_LIBRARY_PATH: dir }
    })
  }
  return chromium.launch({ executablePath: source.executablePath, args: SYSTEM_ARGS, headless: true })
}

/** A browser for the duration of `use`, closed afterwards (also on failure). */
export const withBrowser = <A, E, R>(use: (browser: Browser) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(Effect.promise(launch), use, (browser) => Effect.promise(() => browser.close()))
