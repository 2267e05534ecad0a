import { Layer } from "effect"
import { Journal } from "./journal.ts"
import { BillDocuments } from "../store/bill-documents.ts"
import { IntegrationErrors } from "../store/integration-errors.ts"
import { Integrations } from "../store/integrations.ts"
import { LedgerMaster } from "../store/ledger-master.ts"
import { LedgerPayables } from "./payables.ts"
import { Links } from "../store/links.ts"
import { Runs } from "../store/runs.ts"
import { SourceRecords } from "../store/source-records.ts"

/** Every repository — the store's and the ledger's (payables, journal) — over whatever SqlClient is provided (DatabaseLive, a test database). */
export const StoreServices = Layer.mergeAll(
  Integrations.Default,
  Runs.Default,
  SourceRecords.Default,
  Links.Default,
  IntegrationErrors.Default,
  LedgerMaster.Default,
  LedgerPayables.Default,
  BillDocuments.Default,
  Journal.Default
)
