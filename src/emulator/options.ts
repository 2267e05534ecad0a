/** What an emulated organisation is generated from (the generator and its master data read these). */
import type { Credentials } from "./model.ts"

/** Deliberately bad records (§ brief): off by default, on in the demo seed. */
export interface Anomalies {
  /** A recent, unpaid bill of a vendor that is archived. */
  readonly archivedVendorBill?: boolean
  /** A paid payment whose funding account id is unknown to the organisation. */
  readonly unknownFundingPayment?: boolean
  /** A bill rendered with a wrong-typed field (`amount` as a string) for decode-error testing. */
  readonly malformedRecord?: boolean
}

/**
 * Every documented value of the statuses the sync reads, somewhere in the organisation ([OAS]):
 * bill recordStatus (DRAFT, DRAFT_DELETED, UNDEFINED), approvalStatus UNDEFINED (v2 still knows
 * it), paymentStatus IN_PROCESS and UNDEFINED; payment status APPROVING, CANCELLED, VOID,
 * ESCHEATED, UNDEFINED; funding types WALLET, AP_CARD, UNDEFINED; account types UNSPECIFIED and
 * UNDEFINED; AP cards. Added after everything else, so the rest of the organisation (ids
 * included) is the same with or without them.
 */
export interface StatusCoverage {
  readonly statusCoverage?: boolean
}

export interface GenerateOptions {
  readonly seed: string
  readonly vendors?: number
  readonly bills?: number
  readonly customers?: number
  readonly items?: number
  /** Values per classification kind (departments, jobs, locations, classes, employees). */
  readonly classifications?: number
  readonly banks?: number
  readonly cards?: number
  /** First year of bills (default 2022). */
  readonly fromYear?: number
  /** The fixed "now" of the generated data (default 2026-09-30T17:00:00.000Z). */
  readonly asOf?: string
  readonly anomalies?: Anomalies
  /** Add records carrying every documented status value (see StatusCoverage); on in the demo seed. */
  readonly statusCoverage?: boolean
  /**
   * How many vendors bill in a foreign currency (CAD, EUR, GBP in turn): their bills, credits and
   * payments are in that currency with USD `fundingAmount`s at each day's rate (currency.ts).
   * Default 0; the demo has 1.
   */
  readonly foreignVendors?: number
  readonly credentials?: Partial<Credentials>
  readonly organizationName?: string
}
