/** Exact money of a Bill.com amount: the one definition lives with the Bill.com model. */
export { toDecimal, toMoney, toRate } from "../billcom/models/money.ts"
