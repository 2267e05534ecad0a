import { Layer } from "effect"
import { Journal } from "../ledger/journal.ts"
import { BillDocuments } from "./bill-documents.ts"
import { IntegrationErrors } from "./integration-errors.ts"
import { Integrations } from "./integrations.ts"
import { LedgerMaster } from "./ledger-master.ts"
import { LedgerPayables } from "./ledger-payables.ts"
import { Links } from "./links.ts"
import { Runs } from "./runs.ts"
import { SourceRecords } from "./source-records.ts"

/** Every store repository, over whatever SqlClient is provided (DatabaseLive, a test database). */
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
