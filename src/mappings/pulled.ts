import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Pulled, PulledKind } from "./suggest.ts"

const KINDS: ReadonlyArray<PulledKind> = [
  "vendor",
  "item",
  "customer",
  "department",
  "job",
  "location",
  "accounting-class",
  "employee",
  "chart-of-account",
  "bank-account",
  "card-account",
  "ap-card"
]

/** The Bill.com master records the sync has pulled for an integration (raw copies in source_records), as suggestion input. */
export const pulledMasterRecords = (integrationId: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{
      kind: PulledKind
      billcom_id: string
      archived: boolean
      name: string | null
      first_name: string | null
      last_name: string | null
      number: string | null
      type: string | null
      coa: string | null
      bank: string | null
      issuer: string | null
      brand: string | null
      last4: string | null
    }>`SELECT kind, billcom_id, archived, raw->>'name' AS name, raw->>'firstName' AS first_name, raw->>'lastName' AS last_name,
        raw->'account'->>'number' AS number, raw->'account'->>'type' AS type, raw->>'chartOfAccountId' AS coa,
        coalesce(raw->>'nameOnAccount', raw->>'bankName') AS bank, raw->>'issuingBankName' AS issuer, raw->>'brand' AS brand, raw->>'last4' AS last4
      FROM source_records WHERE integration_id = ${integrationId} AND kind IN ${sql.in(KINDS)} ORDER BY kind, billcom_id`
    return rows.map((r): Pulled => {
      const name =
        r.kind === "employee"
          ? [r.first_name, r.last_name].filter((x) => x).join(" ")
          : r.kind === "bank-account" || r.kind === "ap-card"
            ? (r.bank ?? r.name ?? "")
            : r.kind === "card-account"
              ? [r.issuer, r.brand, r.last4].filter((x) => x).join(" ")
              : (r.name ?? "")
      return {
        kind: r.kind,
        billcomId: r.billcom_id,
        name,
        archived: r.archived,
        ...(r.number !== null ? { number: r.number } : {}),
        ...(r.type !== null ? { type: r.type } : {}),
        ...(r.coa !== null ? { chartOfAccountId: r.coa } : {})
      }
    })
  })
