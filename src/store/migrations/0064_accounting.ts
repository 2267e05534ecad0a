import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Accounting a controller signs off (docs/accounting.md):
 *
 * - Payments post only when money left: PAID and ESCHEATED (journal_payment_posts). APPROVING,
 *   SCHEDULED, UNDEFINED, CANCELLED/CANCELED, VOID and a missing status do not.
 * - Opening items at the cutoff: source kind `opening` (one per bill or vendor credit dated before
 *   the cutoff, for its balance open at the cutoff) and `fx-rounding` (the cents a foreign-currency
 *   item keeps in the functional currency once it is settled in its own currency).
 * - Multi-currency: every line's `amount` is in the ledger's functional currency; `currency` and
 *   `txn_amount` keep the transaction's own currency and amount, `exchange_rate` the rate used.
 *   Bills, credits and payments keep their currency and Bill.com's rate.
 * - Closed periods: journal_settings.closed_through; the database refuses an entry dated on or
 *   before it, and a posting in another currency than the company's functional currency (a
 *   reversal mirrors its original, whatever that was).
 * - `document_date`: the date the document asked for; an entry posted later (its period was
 *   closed) is a late posting, and reports list it.
 * - journal_opening_backlog: bills and credits whose opening item must be recomputed (written in the
 *   batch that changed them; the sync settles the backlog after its payables stages).
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  yield* sql.unsafe(`CREATE OR REPLACE FUNCTION journal_payment_posts(status text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(upper(status) IN ('PAID', 'ESCHEATED'), false)
  $$`)

  yield* sql`ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_source_kind_check`
  yield* sql`ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_source_kind_check
    CHECK (source_kind IN ('bill', 'vendor-credit', 'credit-application', 'payment', 'opening', 'fx-rounding'))`
  yield* sql`ALTER TABLE journal_entries ADD COLUMN document_date date`
  yield* sql`CREATE INDEX journal_entries_late ON journal_entries (company_id, entry_date) WHERE document_date IS NOT NULL AND document_date < entry_date`

  yield* sql`ALTER TABLE journal_lines
    ADD COLUMN currency char(3),
    ADD COLUMN txn_amount numeric(18,2),
    ADD COLUMN exchange_rate numeric`
  // Lines in a foreign currency (rate ≠ 1): the FX rounding step looks only at these items.
  yield* sql`CREATE INDEX journal_lines_foreign ON journal_lines (open_item_kind, open_item_id) WHERE exchange_rate IS NOT NULL AND open_item_id IS NOT NULL`

  yield* sql`ALTER TABLE journal_settings
    ADD COLUMN currency char(3),
    ADD COLUMN cutoff date,
    ADD COLUMN opening_account_id bigint REFERENCES ledger_accounts(id),
    ADD COLUMN fx_account_id bigint REFERENCES ledger_accounts(id),
    ADD COLUMN closed_through date,
    ADD COLUMN closed_policy text NOT NULL DEFAULT 'next-open-period' CHECK (closed_policy IN ('next-open-period', 'error'))`

  yield* sql`CREATE TABLE journal_opening_backlog (
    company_id bigint NOT NULL REFERENCES companies(id),
    kind text NOT NULL CHECK (kind IN ('bill', 'vendor-credit')),
    billcom_id text NOT NULL,
    PRIMARY KEY (company_id, kind, billcom_id)
  )`

  yield* sql`ALTER TABLE bills ADD COLUMN exchange_rate numeric, ADD COLUMN opening_amount numeric(18,2)`
  yield* sql`ALTER TABLE vendor_credits
    ADD COLUMN currency char(3) NOT NULL DEFAULT 'USD',
    ADD COLUMN exchange_rate numeric,
    ADD COLUMN opening_amount numeric(18,2)`
  // A payment before the cutoff is kept (it settles an opening item) even when its funding account
  // is not mapped; a wallet payment has no Bill.com funding account at all.
  yield* sql`ALTER TABLE vendor_payments
    ADD COLUMN currency char(3) NOT NULL DEFAULT 'USD',
    ADD COLUMN exchange_rate numeric,
    ADD COLUMN funding_amount numeric(18,2),
    ADD COLUMN funding_type text,
    ALTER COLUMN funding_account_id DROP NOT NULL,
    ALTER COLUMN cash_account_id DROP NOT NULL`
  yield* sql`CREATE INDEX vendor_payment_applications_bill ON vendor_payment_applications (billcom_bill_id)`

  /*
   * Closed periods and the functional currency, per statement (the statement's new entries are
   * checked together): no entry dated on or before the company's closed_through, none in another
   * currency than its functional currency.
   */
  yield* sql.unsafe(`CREATE FUNCTION journal_refuse_closed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      e_id bigint;
      e_date date;
      closed date;
      e_currency text;
      functional text;
    BEGIN
      SELECT n.id, n.entry_date, s.closed_through INTO e_id, e_date, closed FROM new_rows n
        JOIN journal_settings s ON s.company_id = n.company_id
        WHERE s.closed_through IS NOT NULL AND n.entry_date <= s.closed_through LIMIT 1;
      IF e_id IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % is dated %, in the closed period (the books are closed through %)', e_id, e_date, closed
          USING ERRCODE = 'check_violation';
      END IF;
      SELECT n.id, n.currency, s.currency INTO e_id, e_currency, functional FROM new_rows n
        JOIN journal_settings s ON s.company_id = n.company_id
        WHERE s.currency IS NOT NULL AND n.kind = 'posting' AND n.currency <> s.currency LIMIT 1;
      IF e_id IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % is in %, not the ledger''s functional currency %', e_id, e_currency, functional
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NULL;
    END $$`)
  yield* sql.unsafe(`CREATE TRIGGER journal_entries_open_period AFTER INSERT ON journal_entries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_closed()`)

  /**
   * AP control (journal) vs the open-items subledger (payables tables), per vendor and currency,
   * in each transaction's own currency: the journal's AP lines (their transaction amounts) against
   * bills − payments − credits, where a bill or credit dated before the cutoff counts with its
   * balance open at the cutoff, and a payment before the cutoff has already been netted into the
   * opening balances. Applications of credits to bills move AP from one item to another (zero per
   * vendor); FX gains, losses and rounding are functional-currency only (zero transaction amount).
   */
  yield* sql.unsafe(`CREATE OR REPLACE FUNCTION journal_ap_differences(p_company bigint)
    RETURNS TABLE (vendor_id bigint, journal numeric, subledger numeric) LANGUAGE sql STABLE AS $$
    WITH settings AS (
      SELECT cutoff, coalesce(currency, (SELECT c.currency FROM companies c WHERE c.id = p_company)) AS functional
      FROM (SELECT p_company AS company_id) p LEFT JOIN journal_settings s ON s.company_id = p.company_id
    ), j AS (
      SELECT l.vendor_id, coalesce(l.currency, e.currency) AS currency, -sum(coalesce(l.txn_amount, l.amount)) AS owed
      FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
      WHERE e.company_id = p_company AND l.open_item_id IS NOT NULL GROUP BY 1, 2
    ), s AS (
      SELECT vendor_id, currency, sum(amount) AS owed FROM (
        SELECT b.vendor_id, b.currency, CASE WHEN b.invoice_date < st.cutoff THEN coalesce(b.opening_amount, 0) ELSE b.amount END AS amount
          FROM bills b, settings st WHERE b.company_id = p_company AND NOT b.archived
        UNION ALL SELECT p.vendor_id, p.currency, -p.amount FROM vendor_payments p, settings st
          WHERE p.company_id = p_company AND journal_payment_posts(p.status) AND (st.cutoff IS NULL OR p.process_date >= st.cutoff)
        UNION ALL SELECT c.vendor_id, c.currency, -CASE WHEN c.credit_date < st.cutoff THEN coalesce(c.opening_amount, 0) ELSE c.amount END
          FROM vendor_credits c, settings st WHERE c.company_id = p_company AND NOT c.archived
      ) d GROUP BY 1, 2
    )
    SELECT coalesce(j.vendor_id, s.vendor_id), coalesce(j.owed, 0), coalesce(s.owed, 0)
    FROM j FULL JOIN s ON s.vendor_id = j.vendor_id AND s.currency = j.currency
    WHERE coalesce(j.owed, 0) <> coalesce(s.owed, 0)
  $$`)
})
