import { accessSync, constants } from "node:fs"
import { resolve } from "node:path"
import { expect, test } from "vitest"
import { resolveBrowserSource } from "./browser.ts"

/**
 * A fresh machine has no system browser: the tests then use the Chromium shipped inside the
 * @sparticuz/chromium npm package, unpacked inside the clone. Forcing it here checks that path on
 * every machine, whether or not a system Chromium happens to be installed.
 */
test("the packaged Chromium resolves from node_modules alone, inside the clone", async () => {
  const source = await resolveBrowserSource("npm")
  expect(source.kind).toBe("npm")
  expect(source.executablePath.startsWith(resolve("node_modules") + "/")).toBe(true)
  accessSync(source.executablePath, constants.X_OK)
}, 120_000)

test("a BILLSYNC_TEST_BROWSER path that does not exist is refused with its name", async () => {
  await expect(resolveBrowserSource("/nonexistent/chromium")).rejects.toThrow(
    "BILLSYNC_TEST_BROWSER=/nonexistent/chromium: no such file"
  )
})
