import { createHash } from "node:crypto"
import { norm } from "./matching.ts"
import type { ChartRow, CoaAction, NewAccount, ParentRef } from "./model.ts"

/**
 * Fingerprints of a Bill.com chart, and the states a plan can leave it in.
 *
 * A chart's fingerprint is the sum (mod 2^256) of the SHA-256 of each row's canonical form. A sum
 * is order-independent and can be updated one row at a time, so `apply` can compute the fingerprint
 * of every state reachable by applying a prefix of the plan in one pass and accept a chart that a
 * partial apply of this same plan produced, while any other change (someone edited Bill.com) is
 * refused as stale.
 *
 * Rows the plan creates have no id until Bill.com assigns one, so in simulated states they are
 * keyed `new:<number>`; in a real chart, a row that was not in the plan's snapshot and has a
 * planned create's number and type is given that key before comparing.
 */

interface CanonRow {
  readonly key: string
  readonly name: string
  readonly number: string | undefined
  readonly type: string
  readonly description: string | undefined
  readonly parentKey: string | undefined
  readonly archived: boolean
}

const MODULUS = 1n << 256n

const rowHash = (row: CanonRow): bigint =>
  BigInt(
    "0x" +
      createHash("sha256")
        .update(
          JSON.stringify([
            row.key,
            row.name,
            row.number ?? null,
            row.type,
            row.description ?? null,
            row.parentKey ?? null,
            row.archived
          ])
        )
        .digest("hex")
  )

const render = (sum: bigint): string => `chart-sha256sum:${sum.toString(16).padStart(64, "0")}`

const canon = (row: ChartRow, keyOf: (id: string) => string): CanonRow => ({
  key: keyOf(row.id),
  name: row.name,
  number: norm(row.number),
  type: row.type,
  description: norm(row.description),
  parentKey: row.parentId === undefined ? undefined : keyOf(row.parentId),
  archived: row.archived
})

const sumOf = (rows: Iterable<CanonRow>): bigint => {
  let sum = 0n
  for (const row of rows) sum = (sum + rowHash(row)) % MODULUS
  return sum
}

/** The fingerprint a plan records for the chart it was computed from. */
export const chartFingerprint = (chart: ReadonlyArray<ChartRow>): string =>
  render(sumOf(chart.map((row) => canon(row, (id) => id))))

export const createdKey = (number: string) => `new:${number}`
const parentKey = (parent: ParentRef): string | undefined =>
  parent.id ?? (parent.number !== undefined ? createdKey(parent.number) : undefined)

const createdRow = (after: NewAccount): CanonRow => ({
  key: createdKey(after.number),
  name: after.name,
  number: after.number,
  type: after.type,
  description: norm(after.description),
  parentKey: after.parent === undefined ? undefined : parentKey(after.parent),
  archived: false
})

/** The row an action leaves behind, given the row before it (undefined for a create). */
const step = (action: CoaAction, before: CanonRow | undefined): CanonRow => {
  if (action._tag === "create") return createdRow(action.after)
  if (before === undefined)
    throw new Error(`plan action on ${action.id} names a row that is not in the plan's chart snapshot`)
  switch (action._tag) {
    case "restore":
      return { ...before, archived: false }
    case "archive":
      return { ...before, archived: true }
    case "update": {
      const { patch } = action
      return {
        ...before,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.number !== undefined ? { number: norm(patch.number) } : {}),
        ...(patch.type !== undefined ? { type: patch.type } : {}),
        ...(patch.description !== undefined ? { description: norm(patch.description) } : {}),
        ...(patch.parent !== undefined
          ? { parentKey: patch.parent === null ? undefined : parentKey(patch.parent) }
          : {})
      }
    }
  }
}

const keyOfAction = (action: CoaAction): string =>
  action._tag === "create" ? createdKey(action.after.number) : action.id

/**
 * The fingerprints of the states after applying the first k actions, k = 0…n, starting from the
 * plan's snapshot. Entry 0 equals `chartFingerprint(snapshot)`.
 */
export const prefixFingerprints = (
  snapshot: ReadonlyArray<ChartRow>,
  actions: ReadonlyArray<CoaAction>
): ReadonlyArray<string> => {
  const state = new Map<string, CanonRow>(snapshot.map((row) => [row.id, canon(row, (id) => id)] as const))
  let sum = sumOf(state.values())
  const out = [render(sum)]
  for (const action of actions) {
    const key = keyOfAction(action)
    const before = state.get(key)
    const after = step(action, before)
    if (before !== undefined) sum = (sum - rowHash(before) + MODULUS) % MODULUS
    sum = (sum + rowHash(after)) % MODULUS
    state.set(key, after)
    out.push(render(sum))
  }
  return out
}

export interface CurrentChart {
  /** The current chart's fingerprint with created rows keyed as in the simulation. */
  readonly fingerprint: string
  /** Ledger number → Bill.com id of rows this plan's creates (apparently) produced. */
  readonly created: ReadonlyMap<string, string>
  /** Rows that neither the snapshot nor a planned create explains (ids), for the stale message. */
  readonly unexplained: ReadonlyArray<string>
}

/** Normalises a freshly read chart against a plan, recognising rows the plan's creates produced. */
export const readCurrent = (
  current: ReadonlyArray<ChartRow>,
  snapshot: ReadonlyArray<ChartRow>,
  actions: ReadonlyArray<CoaAction>
): CurrentChart => {
  const known = new Set(snapshot.map((row) => row.id))
  const planned = new Map<string, string>()
  for (const action of actions) {
    if (action._tag === "create") planned.set(`${action.after.number}\u0000${action.after.type}`, action.after.number)
  }
  const created = new Map<string, string>()
  const unexplained: Array<string> = []
  for (const row of current) {
    if (known.has(row.id)) continue
    const number = planned.get(`${norm(row.number) ?? ""}\u0000${row.type}`)
    // A second row for the same create is somebody else's: not explained by this plan.
    if (number !== undefined && !created.has(number)) created.set(number, row.id)
    else unexplained.push(row.id)
  }
  const keys = new Map([...created].map(([number, id]) => [id, createdKey(number)] as const))
  const keyOf = (id: string) => keys.get(id) ?? id
  return { fingerprint: render(sumOf(current.map((row) => canon(row, keyOf)))), created, unexplained }
}

/**
 * How many of the plan's actions the current chart already reflects, or undefined when the chart
 * is not a state this plan can produce (stale: Bill.com changed for another reason).
 */
export const appliedPrefix = (prefixes: ReadonlyArray<string>, current: CurrentChart): number | undefined => {
  for (let k = prefixes.length - 1; k >= 0; k--) if (prefixes[k] === current.fingerprint) return k
  return undefined
}
