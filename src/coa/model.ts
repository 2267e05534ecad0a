import { Schema } from "effect"
import { BILLCOM_ACCOUNT_TYPES, LEDGER_TO_BILLCOM } from "./account-types.ts"

/**
 * The vocabulary of COA alignment. Every shape here is also part of the plan file, so each is an
 * `effect/Schema` (the plan is decoded, never trusted, when `apply` reads it back).
 */

/** Optional fields are absent, never `undefined` (exactOptionalPropertyTypes; JSON has no undefined). */
const opt = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

export const BillcomAccountTypeSchema = Schema.Literal(...BILLCOM_ACCOUNT_TYPES)
export const LedgerAccountTypeSchema = Schema.Literal(
  ...(Object.keys(LEDGER_TO_BILLCOM) as Array<keyof typeof LEDGER_TO_BILLCOM>)
)

/** One Bill.com chart-of-account row, reduced to the fields alignment compares. */
export const ChartRow = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  number: opt(Schema.String),
  type: BillcomAccountTypeSchema,
  description: opt(Schema.String),
  parentId: opt(Schema.String),
  archived: Schema.Boolean
})
export type ChartRow = typeof ChartRow.Type

/** One account of the ledger chart (mappings/<company>/accounts.yaml), defaults applied. */
export interface LedgerAccount {
  readonly number: string
  readonly name: string
  readonly type: keyof typeof LEDGER_TO_BILLCOM
  readonly parent?: string | undefined
  readonly description?: string | undefined
  readonly billcomId?: string | undefined
  readonly active: boolean
}

export const CoaPolicy = Schema.Struct({
  sourceOfTruth: Schema.Literal("ledger", "billcom"),
  allowArchive: Schema.Boolean,
  createParents: Schema.Boolean
})
export type CoaPolicy = typeof CoaPolicy.Type

/**
 * A parent named by ledger number, with its Bill.com id when it exists at plan time. A parent
 * created by the same plan has no id yet; apply resolves it from the earlier create's result.
 */
export const ParentRef = Schema.Struct({ number: opt(Schema.String), id: opt(Schema.String) })
export type ParentRef = typeof ParentRef.Type

/** What a create sends to Bill.com. */
export const NewAccount = Schema.Struct({
  name: Schema.String,
  number: Schema.String,
  type: BillcomAccountTypeSchema,
  description: opt(Schema.String),
  parent: opt(ParentRef)
})
export type NewAccount = typeof NewAccount.Type

/** What an update changes; `parent: null` detaches the row from its parent. */
export const AccountPatch = Schema.Struct({
  name: opt(Schema.String),
  number: opt(Schema.String),
  type: opt(BillcomAccountTypeSchema),
  description: opt(Schema.String),
  parent: opt(Schema.NullOr(ParentRef))
})
export type AccountPatch = typeof AccountPatch.Type

/** A row as a reviewer reads it: the parent shown by number as well as id. */
export const AccountView = Schema.Struct({
  name: Schema.String,
  number: opt(Schema.String),
  type: BillcomAccountTypeSchema,
  description: opt(Schema.String),
  parent: opt(ParentRef),
  archived: Schema.Boolean
})
export type AccountView = typeof AccountView.Type

export const ArchiveWhy = Schema.Literal("absent-from-ledger", "inactive-in-ledger")
export type ArchiveWhy = typeof ArchiveWhy.Type

/** A Bill.com row whose name equals a planned create's: the duplicate the reference warns about. */
export const SimilarRow = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  number: opt(Schema.String),
  type: BillcomAccountTypeSchema,
  archived: Schema.Boolean
})

export const CreateAction = Schema.TaggedStruct("create", {
  account: Schema.String,
  after: NewAccount,
  /** Created only because an active account needs it as its parent (coa.createParents). */
  asParent: Schema.Boolean,
  similar: Schema.Array(SimilarRow)
})
export const UpdateAction = Schema.TaggedStruct("update", {
  account: Schema.String,
  id: Schema.String,
  before: AccountView,
  patch: AccountPatch,
  after: AccountView
})
export const RestoreAction = Schema.TaggedStruct("restore", {
  account: Schema.String,
  id: Schema.String,
  before: AccountView,
  after: AccountView
})
export const ArchiveAction = Schema.TaggedStruct("archive", {
  account: opt(Schema.String),
  id: Schema.String,
  before: AccountView,
  after: AccountView,
  why: ArchiveWhy
})

/** A change to Bill.com, applied in plan order. */
export const CoaAction = Schema.Union(CreateAction, UpdateAction, RestoreAction, ArchiveAction)
export type CoaAction = typeof CoaAction.Type
export type CreateAction = typeof CreateAction.Type
export type UpdateAction = typeof UpdateAction.Type
export type RestoreAction = typeof RestoreAction.Type
export type ArchiveAction = typeof ArchiveAction.Type

/** An archive the policy holds back ("would archive"): reported, never applied. */
export const HeldArchive = Schema.Struct({
  account: opt(Schema.String),
  id: Schema.String,
  before: AccountView,
  why: ArchiveWhy
})
export type HeldArchive = typeof HeldArchive.Type

export const LedgerDiffKind = Schema.Literal(
  "add-to-ledger",
  "update-ledger",
  "retire-in-ledger",
  "activate-in-ledger",
  "ledger-only"
)

/** With coa.sourceOfTruth: billcom, a change the ledger (accounts.yaml) needs; Bill.com is not touched. */
export const LedgerDiff = Schema.Struct({
  kind: LedgerDiffKind,
  account: opt(Schema.String),
  id: opt(Schema.String),
  fields: Schema.Array(Schema.String),
  ledger: opt(AccountView),
  billcom: opt(AccountView),
  /** For add-to-ledger/update-ledger: the accounts.yaml entry that would align the ledger. */
  suggestion: opt(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
export type LedgerDiff = typeof LedgerDiff.Type

export const PlanWarning = Schema.Struct({
  code: Schema.Literal(
    "possible-duplicate",
    "ambiguous-match",
    "parent-not-in-billcom",
    "kept-as-parent",
    "type-without-ledger-counterpart"
  ),
  account: opt(Schema.String),
  id: opt(Schema.String),
  message: Schema.String
})
export type PlanWarning = typeof PlanWarning.Type

/** What the planner computes from the two charts and the policy. */
export interface PlanBody {
  readonly actions: ReadonlyArray<CoaAction>
  readonly held: ReadonlyArray<HeldArchive>
  readonly ledgerDiffs: ReadonlyArray<LedgerDiff>
  readonly warnings: ReadonlyArray<PlanWarning>
  /** Blocking problems (e.g. a billcomId that is not in Bill.com): no plan can be applied. */
  readonly problems: ReadonlyArray<string>
}
