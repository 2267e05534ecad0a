import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Ledger payables: bills, vendor credits, vendor payments (with their bill applications) and bill
 * documents metadata. Money is numeric(18,2), business dates are date. The double-entry journal
 * (0060+) references these rows by id.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE bills (
    id bigserial PRIMARY KEY,
    company_id bigint NOT NULL REFERENCES companies(id),
    billcom_id text NOT NULL,
    vendor_id bigint NOT NULL REFERENCES vendors(id),
    invoice_number text,
    invoice_date date NOT NULL,
    due_date date,
    amount numeric(18,2) NOT NULL,
    currency char(3) NOT NULL DEFAULT 'USD',
    description text,
    approval_status text NOT NULL,
    payment_status text,
    pay_from_account_id bigint REFERENCES ledger_accounts(id),
    archived boolean NOT NULL DEFAULT false,
    billcom_updated_time timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, billcom_id)
  )`
  yield* sql`CREATE TABLE bill_lines (
    bill_id bigint NOT NULL REFERENCES bills(id) ON DELETE CASCADE,
    line_no integer NOT NULL,
    billcom_id text,
    account_id bigint NOT NULL REFERENCES ledger_accounts(id),
    item_id bigint REFERENCES items(id),
    customer_id bigint REFERENCES customers(id),
    dimension_ids bigint[] NOT NULL DEFAULT '{}',
    description text,
    quantity numeric(18,4),
    unit_price numeric(18,4),
    amount numeric(18,2) NOT NULL,
    PRIMARY KEY (bill_id, line_no)
  )`
  yield* sql`CREATE TABLE vendor_credits (
    id bigserial PRIMARY KEY,
    company_id bigint NOT NULL REFERENCES companies(id),
    billcom_id text NOT NULL,
    vendor_id bigint NOT NULL REFERENCES vendors(id),
    reference_number text,
    credit_date date NOT NULL,
    amount numeric(18,2) NOT NULL,
    applied_amount numeric(18,2) NOT NULL DEFAULT 0,
    status text,
    description text,
    archived boolean NOT NULL DEFAULT false,
    billcom_updated_time timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, billcom_id)
  )`
  yield* sql`CREATE TABLE vendor_credit_lines (
    vendor_credit_id bigint NOT NULL REFERENCES vendor_credits(id) ON DELETE CASCADE,
    line_no integer NOT NULL,
    billcom_id text,
    account_id bigint NOT NULL REFERENCES ledger_accounts(id),
    item_id bigint REFERENCES items(id),
    customer_id bigint REFERENCES customers(id),
    dimension_ids bigint[] NOT NULL DEFAULT '{}',
    description text,
    amount numeric(18,2) NOT NULL,
    PRIMARY KEY (vendor_credit_id, line_no)
  )`
  yield* sql`CREATE TABLE vendor_payments (
    id bigserial PRIMARY KEY,
    company_id bigint NOT NULL REFERENCES companies(id),
    billcom_id text NOT NULL,
    vendor_id bigint NOT NULL REFERENCES vendors(id),
    process_date date NOT NULL,
    amount numeric(18,2) NOT NULL,
    funding_account_id bigint NOT NULL REFERENCES bank_accounts(id),
    cash_account_id bigint NOT NULL REFERENCES ledger_accounts(id),
    status text,
    description text,
    billcom_updated_time timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, billcom_id)
  )`
  yield* sql`CREATE TABLE vendor_payment_applications (
    vendor_payment_id bigint NOT NULL REFERENCES vendor_payments(id) ON DELETE CASCADE,
    line_no integer NOT NULL,
    billcom_id text,
    billcom_bill_id text NOT NULL,
    bill_id bigint REFERENCES bills(id),
    amount numeric(18,2) NOT NULL,
    PRIMARY KEY (vendor_payment_id, line_no)
  )`
  yield* sql`CREATE TABLE bill_documents (
    id bigserial PRIMARY KEY,
    bill_id bigint NOT NULL REFERENCES bills(id) ON DELETE CASCADE,
    billcom_id text NOT NULL UNIQUE,
    name text NOT NULL,
    pages integer,
    scan_status text,
    billcom_created_time timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`
})
