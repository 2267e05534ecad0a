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

  /*
   * Checked at COMMIT, so an entry and its lines can be inserted by separate statements — once per
   * transaction over every entry it touched, not once per row: statement-level triggers collect the
   * ids of new entries (and of entries that got new lines, which would unbalance an entry of an
   * earlier transaction) into this transaction's row of journal_pending, whose insertion queues ONE
   * deferred check. The check is planned at each commit (EXECUTE): a plan cached in a long-lived
   * session while the journal was empty scanned every entry of the company per entry checked.
   */
  yield* sql`CREATE TABLE journal_pending (
    txid bigint PRIMARY KEY,
    entry_ids bigint[] NOT NULL
  )`
  yield* sql.unsafe(`CREATE FUNCTION journal_collect() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE ids bigint[];
    BEGIN
      IF TG_TABLE_NAME = 'journal_entries' THEN
        SELECT array_agg(id) INTO ids FROM new_rows;
      ELSE
        SELECT array_agg(DISTINCT entry_id) INTO ids FROM new_rows;
      END IF;
      IF ids IS NOT NULL THEN
        INSERT INTO journal_pending (txid, entry_ids) VALUES (txid_current(), ids)
          ON CONFLICT (txid) DO UPDATE SET entry_ids = journal_pending.entry_ids || EXCLUDED.entry_ids;
      END IF;
      RETURN NULL;
    END $$`)
  for (const table of ["journal_entries", "journal_lines"]) {
    yield* sql.unsafe(`CREATE TRIGGER ${table}_collect AFTER INSERT ON ${table}
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION journal_collect()`)
  }

  /*
   * Every journal invariant that spans rows, for a set of entry ids (raises on the first violation).
   * During a first load the journal tables are never analysed yet, and the planner's defaults (a
   * filter keeps 0.5 % of rows) turned the live-posting check into a join of every new entry with
   * every posting. Each check is an index lookup per entry, so the plan is pinned to index paths.
   */
  yield* sql.unsafe(`CREATE FUNCTION journal_check_entries(ids bigint[]) RETURNS void LANGUAGE plpgsql
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET enable_material = off AS $$
    DECLARE
      a bigint;
      b bigint;
      n bigint;
      total numeric;
      kind text;
      id text;
    BEGIN
      EXECUTE 'SELECT e.id, count(l.entry_id), coalesce(sum(l.amount), 0)
        FROM (SELECT DISTINCT unnest($1) AS id) i JOIN journal_entries e ON e.id = i.id LEFT JOIN journal_lines l ON l.entry_id = e.id
        GROUP BY e.id HAVING count(l.entry_id) < 2 OR coalesce(sum(l.amount), 0) <> 0 LIMIT 1' INTO a, n, total USING ids;
      IF a IS NOT NULL AND n < 2 THEN
        RAISE EXCEPTION 'journal entry % has % line(s); an entry needs at least two', a, n USING ERRCODE = 'check_violation';
      ELSIF a IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits - credits = %', a, total USING ERRCODE = 'check_violation';
      END IF;

      EXECUTE 'SELECT e.id, r.id FROM (SELECT DISTINCT unnest($1) AS id) i JOIN journal_entries e ON e.id = i.id
        JOIN journal_entries r ON r.id = e.reverses_entry_id
        WHERE e.kind = ''reversal'' AND (r.kind <> ''posting'' OR r.company_id <> e.company_id OR r.source_kind <> e.source_kind OR r.source_id <> e.source_id)
        LIMIT 1' INTO a, b USING ids;
      IF a IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % reverses entry % of another source or a reversal', a, b USING ERRCODE = 'check_violation';
      END IF;
      EXECUTE 'SELECT e.id, e.reverses_entry_id FROM (SELECT DISTINCT unnest($1) AS id) i JOIN journal_entries e ON e.id = i.id
        WHERE e.kind = ''reversal'' AND (
          (SELECT count(*) FROM journal_lines WHERE entry_id = e.reverses_entry_id) <> (SELECT count(*) FROM journal_lines WHERE entry_id = e.id)
          OR EXISTS (SELECT 1 FROM journal_lines x WHERE x.entry_id = e.id AND NOT EXISTS (
            SELECT 1 FROM journal_lines y WHERE y.entry_id = e.reverses_entry_id AND y.line_no = x.line_no AND y.account_id = x.account_id AND y.amount = -x.amount)))
        LIMIT 1' INTO a, b USING ids;
      IF a IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % is not the exact mirror of entry %', a, b USING ERRCODE = 'check_violation';
      END IF;

      -- One live posting per source document, and it is the one its head points at.
      EXECUTE 'WITH s AS (
          SELECT DISTINCT e.company_id, e.source_kind, e.source_id FROM (SELECT DISTINCT unnest($1) AS id) i JOIN journal_entries e ON e.id = i.id
        ), live AS (
          SELECT s.company_id, s.source_kind, s.source_id, count(p.id) AS live, max(p.id) AS live_id FROM s
          LEFT JOIN journal_entries p ON p.company_id = s.company_id AND p.source_kind = s.source_kind AND p.source_id = s.source_id
            AND p.kind = ''posting'' AND NOT EXISTS (SELECT 1 FROM journal_entries x WHERE x.reverses_entry_id = p.id)
          GROUP BY s.company_id, s.source_kind, s.source_id
        )
        SELECT l.source_kind, l.source_id, l.live, h.live_entry_id FROM live l
        LEFT JOIN journal_heads h ON h.company_id = l.company_id AND h.source_kind = l.source_kind AND h.source_id = l.source_id
        WHERE l.live > 1 OR (l.live = 1 AND h.live_entry_id IS DISTINCT FROM l.live_id) OR (l.live = 0 AND h.live_entry_id IS NOT NULL)
        LIMIT 1' INTO kind, id, n, a USING ids;
      IF n > 1 THEN
        RAISE EXCEPTION 'source % % has % live postings; at most one may be live', kind, id, n USING ERRCODE = 'check_violation';
      ELSIF n = 1 THEN
        RAISE EXCEPTION 'journal head of % % does not point at its live posting', kind, id USING ERRCODE = 'check_violation';
      ELSIF n = 0 THEN
        RAISE EXCEPTION 'journal head of % % points at a reversed posting', kind, id USING ERRCODE = 'check_violation';
      END IF;
    END $$`)

  yield* sql.unsafe(`CREATE FUNCTION journal_check_pending() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE ids bigint[];
    BEGIN
      -- The row may have grown since it was inserted (NEW is that first version): read and clear it.
      DELETE FROM journal_pending WHERE txid = NEW.txid RETURNING entry_ids INTO ids;
      IF ids IS NOT NULL THEN
        PERFORM journal_check_entries(ids);
      END IF;
      RETURN NULL;
    END $$`)
  yield* sql.unsafe(`CREATE CONSTRAINT TRIGGER journal_pending_check AFTER INSERT ON journal_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_check_pending()`)

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
