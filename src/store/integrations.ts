import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export type IntegrationStatus = "pending" | "connected" | "error"

export interface IntegrationRow {
  readonly id: number
  readonly pipeline: string
  readonly companyId: number | null
  readonly companyKey: string | null
  readonly organizationId: string
  readonly environment: string
  readonly status: IntegrationStatus
  readonly lastError: string | null
  readonly lastErrorAdvice: string | null
  readonly billcomUserId: string | null
  readonly connectedAt: string | null
  readonly seededAt: string | null
  readonly cutoff: string | null
}

interface Raw {
  id: string
  pipeline: string
  company_id: string | null
  company_key: string | null
  organization_id: string
  environment: string
  status: IntegrationStatus
  last_error: string | null
  last_error_advice: string | null
  billcom_user_id: string | null
  connected_at: string | null
  seeded_at: string | null
  cutoff: string | null
}

const toRow = (r: Raw): IntegrationRow => ({
  id: Number(r.id),
  pipeline: r.pipeline,
  companyId: r.company_id === null ? null : Number(r.company_id),
  companyKey: r.company_key,
  organizationId: r.organization_id,
  environment: r.environment,
  status: r.status,
  lastError: r.last_error,
  lastErrorAdvice: r.last_error_advice,
  billcomUserId: r.billcom_user_id,
  connectedAt: r.connected_at,
  seededAt: r.seeded_at,
  cutoff: r.cutoff
})

/** Integration state: one row per pipeline, attached to one ledger company. */
export class Integrations extends Effect.Service<Integrations>()("billsync/Integrations", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const select = (pipeline: string) =>
      sql<Raw>`SELECT i.id::text, i.pipeline, i.company_id::text, c.key AS company_key, i.organization_id, i.environment,
                      i.status, i.last_error, i.last_error_advice, i.billcom_user_id,
                      to_char(i.connected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS connected_at,
                      to_char(i.seeded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS seeded_at,
                      i.cutoff::text AS cutoff
               FROM integrations i LEFT JOIN companies c ON c.id = i.company_id
               WHERE i.pipeline = ${pipeline}`

    const find = Effect.fn("Integrations.find")(function* (pipeline: string) {
      const rows = yield* select(pipeline)
      return rows[0] === undefined ? undefined : toRow(rows[0])
    })

    /** Creates or refreshes the integration row (company, organization, environment) and returns it. */
    const ensure = Effect.fn("Integrations.ensure")(function* (input: {
      readonly pipeline: string
      readonly company: string
      readonly organizationId: string
      readonly environment: string
      readonly currency: string
    }) {
      yield* sql`INSERT INTO companies (key, name, currency) VALUES (${input.company}, ${input.company}, ${input.currency})
                 ON CONFLICT (key) DO NOTHING`
      yield* sql`INSERT INTO integrations (pipeline, company_id, organization_id, environment)
                 SELECT ${input.pipeline}, c.id, ${input.organizationId}, ${input.environment} FROM companies c WHERE c.key = ${input.company}
                 ON CONFLICT (pipeline) DO UPDATE SET
                   company_id = EXCLUDED.company_id,
                   organization_id = EXCLUDED.organization_id,
                   environment = EXCLUDED.environment,
                   updated_at = now()
                 WHERE integrations.company_id IS DISTINCT FROM EXCLUDED.company_id
                    OR integrations.organization_id <> EXCLUDED.organization_id
                    OR integrations.environment <> EXCLUDED.environment`
      const row = yield* find(input.pipeline)
      return row!
    })

    const setPending = Effect.fn("Integrations.setPending")(function* (id: number) {
      yield* sql`UPDATE integrations SET status = 'pending', updated_at = now() WHERE id = ${id}`
    })

    const setConnected = Effect.fn("Integrations.setConnected")(function* (id: number, userId: string | undefined) {
      yield* sql`UPDATE integrations SET status = 'connected', last_error = NULL, last_error_advice = NULL,
                   billcom_user_id = ${userId ?? null}, connected_at = now(), updated_at = now() WHERE id = ${id}`
    })

    const setError = Effect.fn("Integrations.setError")(function* (
      id: number,
      message: string,
      advice: string | undefined
    ) {
      yield* sql`UPDATE integrations SET status = 'error', last_error = ${message}, last_error_advice = ${advice ?? null},
                   updated_at = now() WHERE id = ${id}`
    })

    const markSeeded = Effect.fn("Integrations.markSeeded")(function* (id: number) {
      yield* sql`UPDATE integrations SET seeded_at = coalesce(seeded_at, now()), updated_at = now() WHERE id = ${id}`
    })

    /** Records the cutoff now in force (after any backfill it triggered has been processed). */
    const setCutoff = Effect.fn("Integrations.setCutoff")(function* (id: number, cutoff: string | undefined) {
      yield* sql`UPDATE integrations SET cutoff = ${cutoff ?? null}, updated_at = now()
                 WHERE id = ${id} AND cutoff IS DISTINCT FROM ${cutoff ?? null}::date`
    })

    return { find, ensure, setPending, setConnected, setError, markSeeded, setCutoff } as const
  })
}) {}
