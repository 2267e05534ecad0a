import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The commit-time journal check (0060) with plans that cannot go quadratic. Measured on a 10k-bill
 * first load (auto_explain): with the tables unanalysed the live-posting check reached entries
 * through (company_id, entry_date) — every entry of the company per entry checked — and with fresh
 * statistics the balance check's `GROUP BY … HAVING … LIMIT 1` became a scan of every entry joined
 * to the id list by filter (1,072,560 rows removed for 480 entries, 116 ms), because the planner
 * expects a violation early under LIMIT 1. Here every check is driven by the id array and reaches
 * each table through LATERAL lookups on its key (OFFSET 0 keeps the planner from flattening a
 * lookup into a join it may run as a scan), so the work is per entry checked whatever the
 * statistics say; each is still planned at each commit (EXECUTE), as in 0060, so no plan made
 * while the journal was empty is kept. Same invariants, same messages.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`CREATE OR REPLACE FUNCTION journal_check_entries(ids bigint[]) RETURNS void LANGUAGE plpgsql
    SET enable_seqscan = off AS $$
    DECLARE
      a bigint;
      b bigint;
      n bigint;
      total numeric;
      kind text;
      id text;
    BEGIN
      EXECUTE 'SELECT i.id, s.n, s.total
        FROM (SELECT DISTINCT unnest($1) AS id) i
        CROSS JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(l.amount), 0) AS total FROM journal_lines l WHERE l.entry_id = i.id) s
        WHERE s.n < 2 OR s.total <> 0
        LIMIT 1' INTO a, n, total USING ids;
      IF a IS NOT NULL AND n < 2 THEN
        RAISE EXCEPTION 'journal entry % has % line(s); an entry needs at least two', a, n USING ERRCODE = 'check_violation';
      ELSIF a IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits - credits = %', a, total USING ERRCODE = 'check_violation';
      END IF;

      EXECUTE 'SELECT e.id, r.id
        FROM (SELECT DISTINCT unnest($1) AS id) i
        CROSS JOIN LATERAL (SELECT * FROM journal_entries x WHERE x.id = i.id AND x.kind = ''reversal'' OFFSET 0) e
        CROSS JOIN LATERAL (SELECT * FROM journal_entries y WHERE y.id = e.reverses_entry_id OFFSET 0) r
        WHERE r.kind <> ''posting'' OR r.company_id <> e.company_id OR r.source_kind <> e.source_kind OR r.source_id <> e.source_id
        LIMIT 1' INTO a, b USING ids;
      IF a IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % reverses entry % of another source or a reversal', a, b USING ERRCODE = 'check_violation';
      END IF;

      EXECUTE 'SELECT e.id, e.reverses_entry_id
        FROM (SELECT DISTINCT unnest($1) AS id) i
        CROSS JOIN LATERAL (SELECT * FROM journal_entries x WHERE x.id = i.id AND x.kind = ''reversal'' OFFSET 0) e
        WHERE (SELECT count(*) FROM journal_lines WHERE entry_id = e.reverses_entry_id) <> (SELECT count(*) FROM journal_lines WHERE entry_id = e.id)
          OR EXISTS (SELECT 1 FROM journal_lines x WHERE x.entry_id = e.id AND NOT EXISTS (
            SELECT 1 FROM journal_lines y WHERE y.entry_id = e.reverses_entry_id AND y.line_no = x.line_no AND y.account_id = x.account_id AND y.amount = -x.amount))
        LIMIT 1' INTO a, b USING ids;
      IF a IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % is not the exact mirror of entry %', a, b USING ERRCODE = 'check_violation';
      END IF;

      -- One live posting per source document, and it is the one its head points at.
      EXECUTE 'SELECT s.source_kind, s.source_id, l.live, h.live_entry_id
        FROM (
          SELECT DISTINCT e.company_id, e.source_kind, e.source_id
          FROM (SELECT DISTINCT unnest($1) AS id) i
          CROSS JOIN LATERAL (SELECT x.company_id, x.source_kind, x.source_id FROM journal_entries x WHERE x.id = i.id OFFSET 0) e
        ) s
        CROSS JOIN LATERAL (
          SELECT count(p.id) AS live, max(p.id) AS live_id FROM journal_entries p
          WHERE p.company_id = s.company_id AND p.source_kind = s.source_kind AND p.source_id = s.source_id AND p.kind = ''posting''
            AND NOT EXISTS (SELECT 1 FROM journal_entries x WHERE x.reverses_entry_id = p.id)
        ) l
        LEFT JOIN LATERAL (
          SELECT hh.live_entry_id FROM journal_heads hh WHERE hh.company_id = s.company_id AND hh.source_kind = s.source_kind AND hh.source_id = s.source_id OFFSET 0
        ) h ON true
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
})
