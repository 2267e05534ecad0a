/** Running in CI (`CI=true`, as GitHub Actions and most CI services set it, or `GITHUB_ACTIONS=true`). */
export const inCi = (env: NodeJS.ProcessEnv = process.env): boolean =>
  ["true", "1"].includes((env["CI"] ?? "").toLowerCase()) || (env["GITHUB_ACTIONS"] ?? "").toLowerCase() === "true"
