import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The immutable double-entry journal. Entries and lines are append-only (triggers refuse UPDATE,
 * DELETE and TRUNCATE); a change in Bill.com posts a reversal and a new entry. `journal_heads` is
 * the only mutable table: one row per source document pointing at its live posting (if any).
 *
 * Sign convention: `amount` is positive for a debit and negative for a credit, so an entry balances
 * when its lines sum to zero. AP lines carry the open item (Bill.com document) they settle.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // The AP control account per company (pipelines' ledger.apAccount), recorded by Journal.configure.
  yield* sql`CREATE TABLE journal_settings (
    company_id bigint PRIMARY KEY REFERENCES companies(id),
    ap_account_id bigint NOT NULL REFERENCES ledger_accounts(id),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`
  yield* sql`CREATE TABLE journal_entries (
    id bigserial PRIMARY KEY,
    company_id bigint NOT NULL REFERENCES companies(id),
    kind text NOT NULL CHECK (kind IN ('posting', 'reversal')),
    source_kind text NOT NULL CHECK (source_kind IN ('bill', 'vendor-credit', 'credit-application', 'payment')),
    source_id text NOT NULL,
    version_hash text NOT NULL,
    idempotency_key text NOT NULL UNIQUE,
    reverses_entry_id bigint UNIQUE REFERENCES journal_entries(id),
    entry_date date NOT NULL,
    currency char(3) NOT NULL,
    vendor_id bigint REFERENCES vendors(id),
    memo text,
    posted_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'reversal') = (reverses_entry_id IS NOT NULL))
  )`
  yield* sql`CREATE INDEX journal_entries_source ON journal_entries (company_id, source_kind, source_id)`
  yield* sql`CREATE INDEX journal_entries_date ON journal_entries (company_id, entry_date)`
  yield* sql`CREATE TABLE journal_lines (
    entry_id bigint NOT NULL REFERENCES journal_entries(id),
    line_no integer NOT NULL CHECK (line_no > 0),
    account_id bigint NOT NULL REFERENCES ledger_accounts(id),
    amount numeric(18,2) NOT NULL CHECK (amount <> 0),
    vendor_id bigint REFERENCES vendors(id),
    item_id bigint REFERENCES items(id),
    customer_id bigint REFERENCES customers(id),
    dimension_ids bigint[] NOT NULL DEFAULT '{}',
    open_item_kind text CHECK (open_item_kind IN ('bill', 'vendor-credit', 'payment')),
    open_item_id text,
    description text,
    PRIMARY KEY (entry_id, line_no),
    CHECK ((open_item_kind IS NULL) = (open_item_id IS NULL))
  )`
  yield* sql`CREATE INDEX journal_lines_account ON journal_lines (account_id)`
  yield* sql`CREATE INDEX journal_lines_open_item ON journal_lines (open_item_kind, open_item_id) WHERE open_item_id IS NOT NULL`
  yield* sql`CREATE TABLE journal_heads (
    company_id bigint NOT NULL REFERENCES companies(id),
    source_kind text NOT NULL,
    source_id text NOT NULL,
    live_entry_id bigint UNIQUE REFERENCES journal_entries(id),
    version_hash text,
    postings integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, source_kind, source_id),
    CHECK ((live_entry_id IS NULL) = (version_hash IS NULL))
  )`

  // Append-only: no UPDATE/DELETE of a row, no TRUNCATE.
  yield* sql.unsafe(`CREATE FUNCTION journal_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'journal is append-only: % on % refused (post a reversal instead)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
    END $$`)
  for (const table of ["journal_entries", "journal_lines"]) {
    yield* sql.unsafe(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION journal_refuse_change()`)
    yield* sql.unsafe(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_change()`)
  }

  // Checked at COMMIT, so an entry and its lines can be inserted by separate statements.
  yield* sql.unsafe(`CREATE FUNCTION journal_check_entry() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      e journal_entries%ROWTYPE;
      r journal_entries%ROWTYPE;
      n integer;
      total numeric;
      live integer;
      head_live bigint;
    BEGIN
      SELECT * INTO e FROM journal_entries WHERE id = NEW.id;
      SELECT count(*), coalesce(sum(amount), 0) INTO n, total FROM journal_lines WHERE entry_id = e.id;
      IF n < 2 THEN
        RAISE EXCEPTION 'journal entry % has % line(s); an entry needs at least two', e.id, n USING ERRCODE = 'check_violation';
      END IF;
      IF total <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits - credits = %', e.id, total USING ERRCODE = 'check_violation';
      END IF;
      IF e.kind = 'reversal' THEN
        SELECT * INTO r FROM journal_entries WHERE id = e.reverses_entry_id;
        IF r.kind <> 'posting' OR r.company_id <> e.company_id OR r.source_kind <> e.source_kind OR r.source_id <> e.source_id THEN
          RAISE EXCEPTION 'journal entry % reverses entry % of another source or a reversal', e.id, r.id USING ERRCODE = 'check_violation';
        END IF;
        IF (SELECT count(*) FROM journal_lines WHERE entry_id = r.id) <> n OR EXISTS (
          SELECT 1 FROM journal_lines a WHERE a.entry_id = e.id AND NOT EXISTS (
            SELECT 1 FROM journal_lines b WHERE b.entry_id = r.id AND b.line_no = a.line_no AND b.account_id = a.account_id AND b.amount = -a.amount))
        THEN
          RAISE EXCEPTION 'journal entry % is not the exact mirror of entry %', e.id, r.id USING ERRCODE = 'check_violation';
        END IF;
      END IF;
      -- One live posting per source document, and it is the one its head points at.
      SELECT count(*) INTO live FROM journal_entries p
        WHERE p.company_id = e.company_id AND p.source_kind = e.source_kind AND p.source_id = e.source_id AND p.kind = 'posting'
          AND NOT EXISTS (SELECT 1 FROM journal_entries x WHERE x.reverses_entry_id = p.id);
      SELECT h.live_entry_id INTO head_live FROM journal_heads h
        WHERE h.company_id = e.company_id AND h.source_kind = e.source_kind AND h.source_id = e.source_id;
      IF live > 1 THEN
        RAISE EXCEPTION 'source % % has % live postings; at most one may be live', e.source_kind, e.source_id, live USING ERRCODE = 'check_violation';
      END IF;
      IF live = 1 AND (head_live IS NULL OR NOT EXISTS (
           SELECT 1 FROM journal_entries p WHERE p.id = head_live AND p.kind = 'posting'
             AND p.company_id = e.company_id AND p.source_kind = e.source_kind AND p.source_id = e.source_id
             AND NOT EXISTS (SELECT 1 FROM journal_entries x WHERE x.reverses_entry_id = p.id))) THEN
        RAISE EXCEPTION 'journal head of % % does not point at its live posting', e.source_kind, e.source_id USING ERRCODE = 'check_violation';
      END IF;
      IF live = 0 AND head_live IS NOT NULL THEN
        RAISE EXCEPTION 'journal head of % % points at a reversed posting', e.source_kind, e.source_id USING ERRCODE = 'check_violation';
      END IF;
      RETURN NULL;
    END $$`)
  yield* sql.unsafe(`CREATE CONSTRAINT TRIGGER journal_entries_valid AFTER INSERT ON journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_check_entry()`)

  // A line added later to an entry of an earlier transaction would unbalance it: check its entry too.
  yield* sql.unsafe(`CREATE FUNCTION journal_check_line() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE total numeric;
    BEGIN
      SELECT coalesce(sum(amount), 0) INTO total FROM journal_lines WHERE entry_id = NEW.entry_id;
      IF total <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits - credits = %', NEW.entry_id, total USING ERRCODE = 'check_violation';
      END IF;
      RETURN NULL;
    END $$`)
  yield* sql.unsafe(`CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT ON journal_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_check_line()`)

  // Which payment statuses move money (the posting service and the subledger check share this rule).
  yield* sql.unsafe(`CREATE FUNCTION journal_payment_posts(status text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT status IS NULL OR upper(status) NOT IN ('VOID', 'VOIDED', 'CANCELLED', 'CANCELED', 'APPROVING')
  $$`)

  /**
   * AP control (journal) vs the open-items subledger (payables tables), per vendor, as of today:
   * subledger = bills − payments − credits (a credit's applied part settles bills, its unapplied
   * part is a negative open item; either way it has left AP). Rows only where they differ.
   */
  yield* sql.unsafe(`CREATE FUNCTION journal_ap_differences(p_company bigint)
    RETURNS TABLE (vendor_id bigint, journal numeric, subledger numeric) LANGUAGE sql STABLE AS $$
    WITH j AS (
      SELECT l.vendor_id, -sum(l.amount) AS owed FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
      WHERE e.company_id = p_company AND l.open_item_id IS NOT NULL GROUP BY l.vendor_id
    ), s AS (
      SELECT vendor_id, sum(amount) AS owed FROM (
        SELECT vendor_id, amount FROM bills WHERE company_id = p_company AND NOT archived
        UNION ALL SELECT vendor_id, -amount FROM vendor_payments WHERE company_id = p_company AND journal_payment_posts(status)
        UNION ALL SELECT vendor_id, -amount FROM vendor_credits WHERE company_id = p_company AND NOT archived
      ) d GROUP BY vendor_id
    )
    SELECT coalesce(j.vendor_id, s.vendor_id), coalesce(j.owed, 0), coalesce(s.owed, 0)
    FROM j FULL JOIN s ON s.vendor_id = j.vendor_id
    WHERE coalesce(j.owed, 0) <> coalesce(s.owed, 0)
  $$`)
})
