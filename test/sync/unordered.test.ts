import { it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Chunk, Effect, Layer, Stream } from "effect"
import * as TestServices from "effect/TestServices"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { runSync, type RunOptions } from "../../src/sync/runner.ts"
import { Source, SourceError, type PulledRecord } from "../../src/sync/source.ts"
import { emulatorWithSource, settingsFor, StoreTest } from "./support/harness.ts"

/**
 * The Source contract for unordered reads (what the Bill.com client's partitioned lists deliver to
 * the sync): after a Watermark, records come in any order and the cursor may move only up to the
 * latest watermark; an older copy of a record never overwrites a newer one.
 */
const plain: RunOptions = { fullRefresh: false, dryRun: false, wait: false }
const timeOf = (p: PulledRecord) =>
  p._tag === "Watermark" ? p.time : Date.parse((p.raw as { updatedTime: string }).updatedTime)

/** The real Source, with the bills list rewritten from everything the emulator returned, ascending. */
const withBills = (rewrite: (ascending: ReadonlyArray<PulledRecord>) => Stream.Stream<PulledRecord, SourceError>) =>
  Layer.effect(
    Source,
    Effect.map(Source, (source) => ({
      ...source,
      list: (list: Parameters<typeof source.list>[0], since: string | undefined) =>
        list !== "bills"
          ? source.list(list, since)
          : Stream.unwrap(
              Effect.map(Stream.runCollect(source.list(list, since)), (all) =>
                rewrite(
                  Chunk.toReadonlyArray(all)
                    .filter((p) => p._tag !== "Watermark")
                    .sort((a, b) => timeOf(a) - timeOf(b))
                )
              )
            )
    }))
  )

const ledgerBills = (company: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{ billcom_id: string; amount: string; invoice_date: string; lines: number }>`
      SELECT b.billcom_id, b.amount::text, b.invoice_date::text, (SELECT count(*)::int FROM bill_lines l WHERE l.bill_id = b.id) AS lines
      FROM bills b JOIN companies c ON c.id = b.company_id WHERE c.key = ${company} ORDER BY b.billcom_id`
  )

const billsCursor = (pipeline: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{ ms: number }>`SELECT (extract(epoch FROM c.updated_since) * 1000)::float8 AS ms FROM sync_cursors c
      JOIN integrations i ON i.id = c.integration_id WHERE i.pipeline = ${pipeline} AND c.stream = 'bills'`
  ).pipe(Effect.map((rows) => rows[0]?.ms))

const ORG = { seed: "unordered", generate: { bills: 1200, vendors: 40 } }

it.layer(StoreTest, { timeout: "300 seconds" })("unordered list reads with watermarks", (it) => {
  it.effect(
    "a read that fails after a watermark leaves the cursor at that watermark; the next run completes to the clean ledger",
    () =>
      Effect.gen(function* () {
        const snap = yield* (yield* Emulator).snapshot()
        let w1 = 0
        // Watermark at the oldest record; the oldest 600 newest-first; a watermark after them; 399 more newest-first; then the read fails.
        const scrambled = (asc: ReadonlyArray<PulledRecord>) => {
          const first = asc.slice(0, 600)
          const rest = asc.slice(600)
          w1 = timeOf(rest[0]!)
          return Stream.concat(
            Stream.fromIterable<PulledRecord>([
              { _tag: "Watermark", time: timeOf(first[0]!) },
              ...[...first].reverse(),
              { _tag: "Watermark", time: w1 },
              ...[...rest.slice(0, 399)].reverse()
            ]),
            Stream.fail(new SourceError({ message: "connection reset (test)" }))
          )
        }
        const failed = yield* runSync(settingsFor("wm", snap), plain).pipe(
          Effect.provide(withBills(scrambled)),
          Effect.exit
        )
        // The run records the failure; the batches before it committed with the cursor at the watermark, not at the newest record.
        expect(failed._tag === "Failure" || failed.value.runs.at(-1)!.status === "failed").toBe(true)
        const cursor = yield* billsCursor("wm")
        expect(cursor).toBe(w1)
        expect((yield* ledgerBills("wm-co")).length).toBeGreaterThan(0)

        yield* runSync(settingsFor("wm", snap), plain)
        yield* runSync(
          settingsFor("wm-clean", snap, (s) => ({ ...s, company: "wm-clean-co" })),
          plain
        )
        const clean = yield* ledgerBills("wm-clean-co")
        expect(clean.length).toBeGreaterThan(500)
        expect(yield* ledgerBills("wm-co")).toEqual(clean)
      }).pipe(Effect.provide(emulatorWithSource(ORG)), TestServices.provideLive)
  )

  it.effect("an older copy of a bill delivered after its newer copy does not overwrite it", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const snap = yield* emu.snapshot()
      const target = (
        snap["bills"] as Array<{
          id: string
          archived: boolean
          approvalStatus: string
          invoice: { invoiceDate: string }
        }>
      ).find((b) => !b.archived && b.approvalStatus === "APPROVED" && b.invoice.invoiceDate >= "2025-01-01")!
      const before = (yield* ledgerBills("none")).length
      expect(before).toBe(0)
      // Newer copy (edited amount, updatedTime one second later) first, the original last: both in one batch and across batches.
      const newerFirst = (asc: ReadonlyArray<PulledRecord>) => {
        const original = asc.find((p) => p._tag === "Valid" && (p.raw as { id: string }).id === target.id)!
        const raw = (original as { raw: Record<string, unknown> }).raw
        const newer: PulledRecord = {
          _tag: "Valid",
          raw: {
            ...raw,
            amount: 4321.09,
            billLineItems: [{ ...(raw["billLineItems"] as Array<Record<string, unknown>>)[0], amount: 4321.09 }],
            updatedTime: new Date(timeOf(original) + 1000).toISOString()
          }
        }
        return Stream.fromIterable<PulledRecord>([
          { _tag: "Watermark", time: timeOf(asc[0]!) },
          newer,
          ...asc,
          { _tag: "Watermark", time: Number.POSITIVE_INFINITY }
        ])
      }
      const outcome = yield* runSync(settingsFor("stale", snap), plain).pipe(Effect.provide(withBills(newerFirst)))
      expect(outcome.runs.at(-1)!.status).not.toBe("failed")
      const bill = (yield* ledgerBills("stale-co")).find((b) => b.billcom_id === target.id)!
      expect(bill.amount).toBe("4321.09")
      expect(bill.lines).toBe(1)
    }).pipe(Effect.provide(emulatorWithSource(ORG)), TestServices.provideLive)
  )
  it.effect(
    "a bill archived in the next batch is archived in the ledger even though that batch was evaluated while the first committed",
    () =>
      Effect.gen(function* () {
        const snap = yield* (yield* Emulator).snapshot()
        let target = ""
        const archivedNext = (asc: ReadonlyArray<PulledRecord>) => {
          const first = asc.slice(0, 500)
          const original = first.find((p) => {
            const raw = (
              p as { raw: { archived?: boolean; approvalStatus?: string; invoice?: { invoiceDate?: string } } }
            ).raw
            return (
              raw.archived !== true &&
              raw.approvalStatus === "APPROVED" &&
              (raw.invoice?.invoiceDate ?? "") >= "2024-01-01"
            )
          }) as { raw: Record<string, unknown> }
          target = original.raw["id"] as string
          const archived: PulledRecord = {
            _tag: "Valid",
            raw: { ...original.raw, archived: true, updatedTime: new Date(timeOf(asc.at(-1)!) + 1000).toISOString() }
          }
          return Stream.fromIterable<PulledRecord>([
            { _tag: "Watermark", time: timeOf(asc[0]!) },
            ...first,
            archived,
            ...asc.slice(500),
            { _tag: "Watermark", time: Number.POSITIVE_INFINITY }
          ])
        }
        const outcome = yield* runSync(settingsFor("archived-next", snap), plain).pipe(
          Effect.provide(withBills(archivedNext))
        )
        expect(outcome.runs.at(-1)!.status).not.toBe("failed")
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ archived: boolean; live: string | null }>`
        SELECT b.archived, h.live_entry_id::text AS live FROM bills b JOIN companies c ON c.id = b.company_id
        LEFT JOIN journal_heads h ON h.company_id = b.company_id AND h.source_kind = 'bill' AND h.source_id = b.billcom_id
        WHERE c.key = 'archived-next-co' AND b.billcom_id = ${target}`
        // Archived, and its posting reversed (no live entry).
        expect(rows).toEqual([{ archived: true, live: null }])
      }).pipe(Effect.provide(emulatorWithSource(ORG)), TestServices.provideLive)
  )
})
