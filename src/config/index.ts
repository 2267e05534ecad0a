/**
 * Config as code (docs/design.md "Config API"): the typed pipeline and mappings, the loader that
 * checks them (schema + cross-file, every problem with its `file:line:col`), and the endpoints a
 * pipeline talks to.
 */
export { loadPipeline, loadProject, type LoadedPipeline, type LoadedProject, type LoadOptions } from "./load.ts"
export { ConfigError, formatProblem, type Problem } from "./errors.ts"
export { endpointsFor, BILLCOM_ENDPOINTS, type Endpoints } from "./endpoints.ts"
export { Pipeline, type PipelineInput, type Environment } from "./pipeline.ts"
export {
  AccountTypes,
  ledgerTypeOf,
  type AccountType,
  type ClassificationLink,
  type Classifications,
  type CustomerLink,
  type FundingAccountLink,
  type ItemLink,
  type LedgerAccount,
  type Mappings,
  type VendorLink
} from "./mappings.ts"
export { CutoffStages, isStageName, SeedStages, StageNames, type StageName } from "./stages.ts"
export { ENV_VAR_NAME, ID_PREFIXES } from "./ids.ts"
