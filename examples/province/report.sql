-- The monthly/quarterly report (Store.report: every row, every figure) over the Parquet
-- files of Store.export_parquet, for one county's directory or for hundreds at once.
--
-- Parameters, as DuckDB variables set before this file is read:
--   facts   the export directory, or a glob of them: 'out/512021', 'out/*'
--   unit    the unit whose report this is; NULL: the level above every store's top unit
--           (one row per county, the totals their sum)
--   period  the period as Store.report takes it: 2025-03-17, 2025-W11, 2025-03,
--           2025-Q1, 2025-H1, 2025
--
--   duckdb -c "SET VARIABLE facts = 'out/*'; SET VARIABLE unit = NULL;
--              SET VARIABLE period = '2025-Q1'; .read examples/province/report.sql"
--
-- Output: one row per report row (section 'row', with `own` for the unit's own facts),
-- one 'total' row, and one row per category ('category') and per ledger book ('book')
-- with the ledger's figures. Every rate is given as its numerator and denominator
-- (`<rate>_num`, `<rate>_den`) and its value (NULL when the denominator is 0), so sums
-- over counties add numerators and denominators and recompute the rate, never average.
--
-- Each table is read as the latest export wrote it: per key, the rows of the greatest
-- export_seq (see the README, "Facts as Parquet"). Days are compared as day numbers
-- (days since 1970-01-01) and moments as seconds since the Unix epoch: the first part,
-- down to the marker, reads the files in DuckDB's dialect; the rest is plain SQL that
-- examples/province/report_spark.py runs unchanged in Spark.
WITH
params AS (
    SELECT p_unit, p_kind,
           CASE p_kind WHEN 'day' THEN 0 WHEN 'week' THEN 1 WHEN 'month' THEN 2
                       WHEN 'quarter' THEN 3 WHEN 'half_year' THEN 4 ELSE 5 END AS p_kind_rank,
           p_first - DATE '1970-01-01' AS p_first,
           (CASE p_kind WHEN 'day' THEN p_first
                        WHEN 'week' THEN p_first + 6
                        WHEN 'month' THEN (p_first + INTERVAL 1 MONTH)::DATE - 1
                        WHEN 'quarter' THEN (p_first + INTERVAL 3 MONTH)::DATE - 1
                        WHEN 'half_year' THEN (p_first + INTERVAL 6 MONTH)::DATE - 1
                        ELSE (p_first + INTERVAL 12 MONTH)::DATE - 1 END) - DATE '1970-01-01' AS p_last
    FROM (
        SELECT p_unit, p_kind,
               CASE p_kind
                   WHEN 'day' THEN CAST(p AS DATE)
                   WHEN 'week' THEN make_date(y, 1, 4) - CAST(isodow(make_date(y, 1, 4)) - 1 AS INTEGER)
                                    + CAST(7 * (CAST(substr(p, 7, 2) AS INTEGER) - 1) AS INTEGER)
                   WHEN 'month' THEN make_date(y, CAST(substr(p, 6, 2) AS INTEGER), 1)
                   WHEN 'quarter' THEN make_date(y, 3 * CAST(substr(p, 7, 1) AS INTEGER) - 2, 1)
                   WHEN 'half_year' THEN make_date(y, 6 * CAST(substr(p, 7, 1) AS INTEGER) - 5, 1)
                   ELSE make_date(y, 1, 1) END AS p_first
        FROM (
            SELECT CAST(getvariable('unit') AS VARCHAR) AS p_unit, p,
                   CAST(substr(p, 1, 4) AS INTEGER) AS y,
                   CASE WHEN regexp_full_match(p, '\d{4}-\d{2}-\d{2}') THEN 'day'
                        WHEN regexp_full_match(p, '\d{4}-W\d{2}') THEN 'week'
                        WHEN regexp_full_match(p, '\d{4}-\d{2}') THEN 'month'
                        WHEN regexp_full_match(p, '\d{4}-Q[1-4]') THEN 'quarter'
                        WHEN regexp_full_match(p, '\d{4}-H[12]') THEN 'half_year'
                        WHEN regexp_full_match(p, '\d{4}') THEN 'year'
                        ELSE error('period: not a day, week, month, quarter, half year or year: ' || p) END AS p_kind
            FROM (SELECT CAST(getvariable('period') AS VARCHAR) AS p)
        )
    )
),
f_store AS (SELECT * FROM read_parquet(getvariable('facts') || '/store/*.parquet')),
f_units AS (SELECT * FROM read_parquet(getvariable('facts') || '/units/*.parquet')),
f_rules AS (SELECT * FROM read_parquet(getvariable('facts') || '/reporting_rules/*.parquet')),
f_periods AS (SELECT * FROM read_parquet(getvariable('facts') || '/reporting_periods/*.parquet')),
f_households AS (SELECT * FROM read_parquet(getvariable('facts') || '/households/*.parquet')),
f_entries AS (SELECT * FROM read_parquet(getvariable('facts') || '/entries/*.parquet')),
f_submissions AS (SELECT * FROM read_parquet(getvariable('facts') || '/submissions/*.parquet')),
-- The latest version of each household and entry, and of each table written whole.
latest_households AS (
    SELECT store_id, household_id, max(export_seq) AS export_seq FROM f_households GROUP BY store_id, household_id
),
latest_entries AS (
    SELECT store_id, entry_id, max(export_seq) AS export_seq FROM f_entries GROUP BY store_id, entry_id
),
latest_whole AS (SELECT store_id, max(export_seq) AS export_seq FROM f_store GROUP BY store_id),
in_store AS (
    SELECT s.store_id, s.utc_offset_seconds AS off FROM f_store s JOIN latest_whole USING (store_id, export_seq)
),
in_units AS (
    SELECT u.store_id, u.code, u.name, u.level, u.path,
           u.valid_from - DATE '1970-01-01' AS valid_from, u.valid_to - DATE '1970-01-01' AS valid_to,
           u.start - DATE '1970-01-01' AS start, u.retired - DATE '1970-01-01' AS retired
    FROM f_units u JOIN (SELECT store_id, max(export_seq) AS export_seq FROM f_units GROUP BY store_id) l
         USING (store_id, export_seq)
),
in_rules AS (
    SELECT r.store_id, r.level, r.every,
           r.valid_from - DATE '1970-01-01' AS valid_from, r.valid_to - DATE '1970-01-01' AS valid_to
    FROM f_rules r JOIN (SELECT store_id, max(export_seq) AS export_seq FROM f_rules GROUP BY store_id) l
         USING (store_id, export_seq)
),
in_periods AS (
    SELECT q.store_id, q.level, q.period, q.kind,
           CASE q.kind WHEN 'day' THEN 0 WHEN 'week' THEN 1 WHEN 'month' THEN 2
                       WHEN 'quarter' THEN 3 WHEN 'half_year' THEN 4 ELSE 5 END AS kind_rank,
           q.last_day - DATE '1970-01-01' AS last_day, q.deciding_day - DATE '1970-01-01' AS deciding_day,
           CAST(epoch(q.due_at) AS BIGINT) AS due_at
    FROM f_periods q JOIN (SELECT store_id, max(export_seq) AS export_seq FROM f_periods GROUP BY store_id) l
         USING (store_id, export_seq)
),
in_households AS (
    SELECT h.store_id, h.household_id, CAST(h.floating AS INTEGER) AS floating
    FROM f_households h JOIN latest_households USING (store_id, household_id, export_seq)
),
in_places AS (
    SELECT p.store_id, p.household_id, p.unit,
           p.valid_from - DATE '1970-01-01' AS valid_from, p.valid_to - DATE '1970-01-01' AS valid_to
    FROM read_parquet(getvariable('facts') || '/household_places/*.parquet') p
    JOIN latest_households USING (store_id, household_id, export_seq)
),
in_special AS (
    SELECT p.store_id, p.household_id,
           p.valid_from - DATE '1970-01-01' AS valid_from, p.valid_to - DATE '1970-01-01' AS valid_to
    FROM read_parquet(getvariable('facts') || '/household_special/*.parquet') p
    JOIN latest_households USING (store_id, household_id, export_seq)
),
in_members AS (
    SELECT p.store_id, p.household_id,
           p.valid_from - DATE '1970-01-01' AS valid_from, p.valid_to - DATE '1970-01-01' AS valid_to
    FROM read_parquet(getvariable('facts') || '/household_members/*.parquet') p
    JOIN latest_households USING (store_id, household_id, export_seq)
),
in_requirements AS (
    SELECT r.store_id, r.household_id, r.unit, r.period_last - DATE '1970-01-01' AS period_last,
           CAST(r.met AS INTEGER) AS met
    FROM read_parquet(getvariable('facts') || '/requirements/*.parquet') r
    JOIN latest_households USING (store_id, household_id, export_seq)
),
in_visits AS (
    SELECT store_id, household_id, day - DATE '1970-01-01' AS day, channel
    FROM read_parquet(getvariable('facts') || '/visits/*.parquet')
),
in_entries AS (
    SELECT e.store_id, e.entry_id, e.unit, e.category, CAST(epoch(e.reported) AS BIGINT) AS reported
    FROM f_entries e JOIN latest_entries USING (store_id, entry_id, export_seq)
),
in_books AS (
    SELECT store_id, entry_id, unnest(books) AS book
    FROM f_entries e JOIN latest_entries USING (store_id, entry_id, export_seq)
),
in_events AS (
    SELECT v.store_id, v.entry_id, v.seq, v.action, CAST(epoch(v."at") AS BIGINT) AS moment, v.status,
           CAST(v.hard AS INTEGER) AS hard, CAST(epoch(v.deadline) AS BIGINT) AS deadline,
           CAST(epoch(v.sign_due) AS BIGINT) AS sign_due, CAST(epoch(v.suspended) AS BIGINT) AS suspended,
           CAST(epoch(v.first_resolved) AS BIGINT) AS first_resolved
    FROM read_parquet(getvariable('facts') || '/entry_events/*.parquet') v
    JOIN latest_entries USING (store_id, entry_id, export_seq)
),
in_submissions AS (
    SELECT store_id, unit, period, min(CAST(epoch(submitted_at) AS BIGINT)) AS submitted_at
    FROM f_submissions GROUP BY store_id, unit, period
),
-- ==== body: plain SQL from here on (report_spark.py runs it as it stands) ====
-- The tree as it stood on the period's last day: the spans that count, the unit's own,
-- the report's rows (direct children and the own row) and every member's row.
spans AS (
    SELECT u.* FROM in_units u CROSS JOIN params p
    WHERE u.valid_from <= p.p_last
      AND (u.valid_to > p.p_last OR (u.valid_to = u.retired AND u.retired > p.p_first))
),
root AS (
    SELECT store_id, code, name, level, path FROM (
        SELECT s.*, row_number() OVER (PARTITION BY s.store_id ORDER BY s.valid_from DESC) AS rn
        FROM spans s JOIN params p ON s.code = p.p_unit
    ) t WHERE rn = 1
),
report_rows AS (
    SELECT s.store_id, s.code AS row_unit, s.name, s.level, 0 AS own
    FROM spans s JOIN root r ON s.store_id = r.store_id AND s.path = concat(r.path, '/', s.code)
    UNION ALL
    SELECT store_id, code, name, level, 1 FROM root
    UNION ALL
    SELECT s.store_id, s.code, s.name, s.level, 0
    FROM spans s CROSS JOIN params p WHERE p.p_unit IS NULL AND s.path = concat('/', s.code)
),
members AS (
    SELECT m.store_id, m.code, m.level, m.start, m.row_unit FROM (
        SELECT s.store_id, s.code, s.level, s.start,
               CASE WHEN s.path = r.path THEN r.code
                    ELSE split_part(substr(s.path, length(r.path) + 2), '/', 1) END AS row_unit
        FROM spans s JOIN root r ON s.store_id = r.store_id
             AND (s.path = r.path OR substr(s.path, 1, length(r.path) + 1) = concat(r.path, '/'))
        UNION ALL
        SELECT s.store_id, s.code, s.level, s.start, split_part(substr(s.path, 2), '/', 1)
        FROM spans s CROSS JOIN params p WHERE p.p_unit IS NULL
    ) m JOIN report_rows USING (store_id, row_unit)
),
-- The period's first and last moments in each store's offset.
bounds AS (
    SELECT s.store_id, p.p_first * 86400 - s.off AS t0, (p.p_last + 1) * 86400 - s.off - 1 AS t1
    FROM in_store s CROSS JOIN params p
),
-- The ledger: each entry's events up to the period's end, folded as Store.report does.
ent AS (
    SELECT e.store_id, e.entry_id, e.category, e.reported, m.row_unit, b.t0, b.t1
    FROM in_entries e
    JOIN members m ON m.store_id = e.store_id AND m.code = e.unit
    JOIN bounds b ON b.store_id = e.store_id
    WHERE e.reported <= b.t1
),
ev AS (
    SELECT v.*, x.t0, x.t1 FROM in_events v
    JOIN ent x ON x.store_id = v.store_id AND x.entry_id = v.entry_id
    WHERE v.moment <= x.t1
),
last_mark AS (
    SELECT * FROM (
        SELECT ev.*, row_number() OVER (PARTITION BY store_id, entry_id ORDER BY seq DESC) AS rn FROM ev
    ) t WHERE rn = 1
),
first_resolve AS (
    SELECT * FROM (
        SELECT ev.*, row_number() OVER (PARTITION BY store_id, entry_id ORDER BY seq) AS rn
        FROM ev WHERE action = 'resolve'
    ) t WHERE rn = 1
),
-- A dispatch (registration, escalation, return) in the period is signed for when the
-- next dispatch or sign-for after it is a sign-for.
dispatch AS (
    SELECT store_id, entry_id, action, moment, sign_due, t0, t1,
           lead(action) OVER (PARTITION BY store_id, entry_id ORDER BY seq) AS next_action,
           lead(moment) OVER (PARTITION BY store_id, entry_id ORDER BY seq) AS next_moment
    FROM ev WHERE action IN ('register', 'escalate', 'return', 'sign_for')
),
signing AS (
    SELECT store_id, entry_id, count(*) AS dispatched,
           sum(CASE WHEN next_action = 'sign_for' THEN 1 ELSE 0 END) AS signed,
           sum(CASE WHEN next_action = 'sign_for' AND (sign_due IS NULL OR next_moment <= sign_due)
                    THEN 1 ELSE 0 END) AS signed_on_time
    FROM dispatch WHERE action <> 'sign_for' AND moment BETWEEN t0 AND t1
    GROUP BY store_id, entry_id
),
closing AS (
    SELECT DISTINCT store_id, entry_id FROM ev WHERE action = 'close' AND moment BETWEEN t0 AND t1
),
entry_tally AS (
    SELECT x.store_id, x.entry_id, x.row_unit, x.category,
           CASE WHEN x.reported BETWEEN x.t0 AND x.t1 THEN 1 ELSE 0 END AS received,
           CASE WHEN x.reported BETWEEN x.t0 AND x.t1 AND l.first_resolved IS NOT NULL THEN 1 ELSE 0 END AS received_resolved,
           CASE WHEN f.moment BETWEEN x.t0 AND x.t1 THEN 1 ELSE 0 END AS resolved,
           CASE WHEN f.moment BETWEEN x.t0 AND x.t1 AND f.moment <= f.deadline THEN 1 ELSE 0 END AS resolved_on_time,
           CASE WHEN c.entry_id IS NOT NULL THEN 1 ELSE 0 END AS closed,
           coalesce(s.dispatched, 0) AS dispatched, coalesce(s.signed, 0) AS signed,
           coalesce(s.signed_on_time, 0) AS signed_on_time,
           CASE WHEN l.deadline BETWEEN x.t0 AND x.t1 AND l.suspended IS NULL THEN 1 ELSE 0 END AS due,
           CASE WHEN l.deadline BETWEEN x.t0 AND x.t1 AND l.suspended IS NULL
                     AND l.first_resolved <= l.deadline THEN 1 ELSE 0 END AS due_on_time,
           CASE WHEN l.status IN ('registered', 'signed_for', 'in_progress', 'suspended') AND l.hard = 0
                THEN 1 ELSE 0 END AS pending,
           CASE WHEN l.status IN ('registered', 'signed_for', 'in_progress', 'suspended') AND l.hard = 1
                THEN 1 ELSE 0 END AS hard,
           CASE WHEN l.status IN ('registered', 'signed_for', 'in_progress', 'suspended')
                     AND coalesce(l.suspended, x.t1) > l.deadline THEN 1 ELSE 0 END AS overdue
    FROM ent x
    JOIN last_mark l ON l.store_id = x.store_id AND l.entry_id = x.entry_id
    LEFT JOIN first_resolve f ON f.store_id = x.store_id AND f.entry_id = x.entry_id
    LEFT JOIN closing c ON c.store_id = x.store_id AND c.entry_id = x.entry_id
    LEFT JOIN signing s ON s.store_id = x.store_id AND s.entry_id = x.entry_id
),
ledger_rows AS (
    SELECT store_id, row_unit, sum(received) AS received, sum(resolved) AS resolved, sum(closed) AS closed,
           sum(received_resolved) AS received_resolved, sum(due) AS due, sum(due_on_time) AS due_on_time,
           sum(resolved_on_time) AS resolved_on_time, sum(dispatched) AS dispatched, sum(signed) AS signed,
           sum(signed_on_time) AS signed_on_time, sum(pending) AS pending, sum(hard) AS hard,
           sum(overdue) AS overdue
    FROM entry_tally GROUP BY store_id, row_unit
),
-- Visits: each contact in the period counts where the household lived that day.
visit_rows AS (
    SELECT m.store_id, m.row_unit,
           sum(CASE WHEN v.channel = 'home' THEN 1 ELSE 0 END) AS visits_home,
           sum(CASE WHEN v.channel = 'phone' THEN 1 ELSE 0 END) AS visits_phone
    FROM in_visits v CROSS JOIN params p
    JOIN in_places pl ON pl.store_id = v.store_id AND pl.household_id = v.household_id
         AND pl.valid_from <= v.day AND v.day < pl.valid_to
    JOIN members m ON m.store_id = pl.store_id AND m.code = pl.unit
    WHERE v.day BETWEEN p.p_first AND p.p_last
    GROUP BY m.store_id, m.row_unit
),
-- The registry on the period's last day.
living AS (
    SELECT pl.store_id, pl.household_id, m.row_unit
    FROM in_places pl CROSS JOIN params p
    JOIN members m ON m.store_id = pl.store_id AND m.code = pl.unit
    WHERE pl.valid_from <= p.p_last AND p.p_last < pl.valid_to
),
special_then AS (
    SELECT DISTINCT s.store_id, s.household_id FROM in_special s CROSS JOIN params p
    WHERE s.valid_from <= p.p_last AND p.p_last < s.valid_to
),
residents_then AS (
    SELECT r.store_id, r.household_id, count(*) AS n FROM in_members r CROSS JOIN params p
    WHERE r.valid_from <= p.p_last AND p.p_last < r.valid_to GROUP BY r.store_id, r.household_id
),
home_visited AS (
    SELECT DISTINCT v.store_id, v.household_id FROM in_visits v CROSS JOIN params p
    WHERE v.channel = 'home' AND v.day BETWEEN p.p_first AND p.p_last
),
registry_rows AS (
    SELECT l.store_id, l.row_unit, count(*) AS households,
           sum(CASE WHEN s.household_id IS NOT NULL THEN 1 ELSE 0 END) AS special_households,
           sum(coalesce(r.n, 0)) AS residents, sum(h.floating) AS floating,
           sum(CASE WHEN v.household_id IS NOT NULL THEN 1 ELSE 0 END) AS home_visited
    FROM living l
    JOIN in_households h ON h.store_id = l.store_id AND h.household_id = l.household_id
    LEFT JOIN special_then s ON s.store_id = l.store_id AND s.household_id = l.household_id
    LEFT JOIN residents_then r ON r.store_id = l.store_id AND r.household_id = l.household_id
    LEFT JOIN home_visited v ON v.store_id = l.store_id AND v.household_id = l.household_id
    GROUP BY l.store_id, l.row_unit
),
-- Visit rules: the requirements of rule periods ending inside the period, where the
-- household lived on each one's first day.
rule_rows AS (
    SELECT m.store_id, m.row_unit, count(*) AS required, sum(r.met) AS met
    FROM in_requirements r CROSS JOIN params p
    JOIN members m ON m.store_id = r.store_id AND m.code = r.unit
    WHERE r.period_last BETWEEN p.p_first AND p.p_last
    GROUP BY m.store_id, m.row_unit
),
-- Reports expected of each unit: the periods of its level's cadence (the rule in force
-- on the period's first day) inside the period, not ending before the unit began.
cadence_then AS (
    SELECT r.store_id, r.level, r.every FROM in_rules r CROSS JOIN params p
    WHERE r.valid_from <= p.p_first AND p.p_first < r.valid_to
),
expected AS (
    SELECT m.store_id, m.row_unit, m.code, q.period, q.due_at
    FROM members m
    JOIN cadence_then c ON c.store_id = m.store_id AND c.level = m.level
    JOIN in_periods q ON q.store_id = m.store_id AND q.level = m.level AND q.kind = c.every
    CROSS JOIN params p
    WHERE q.deciding_day BETWEEN p.p_first AND p.p_last AND q.kind_rank <= p.p_kind_rank
      AND q.last_day >= m.start
),
submission_rows AS (
    SELECT e.store_id, e.row_unit, count(*) AS reports_expected,
           sum(CASE WHEN s.submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS reports_received,
           sum(CASE WHEN s.submitted_at <= e.due_at THEN 1 ELSE 0 END) AS reports_on_time
    FROM expected e
    LEFT JOIN in_submissions s ON s.store_id = e.store_id AND s.unit = e.code AND s.period = e.period
    GROUP BY e.store_id, e.row_unit
),
tallies AS (
    SELECT r.store_id, r.row_unit, r.name, r.level, r.own,
           coalesce(l.received, 0) AS received, coalesce(l.resolved, 0) AS resolved,
           coalesce(l.closed, 0) AS closed, coalesce(l.received_resolved, 0) AS received_resolved,
           coalesce(l.due, 0) AS due, coalesce(l.due_on_time, 0) AS due_on_time,
           coalesce(l.resolved_on_time, 0) AS resolved_on_time, coalesce(l.dispatched, 0) AS dispatched,
           coalesce(l.signed, 0) AS signed, coalesce(l.signed_on_time, 0) AS signed_on_time,
           coalesce(l.pending, 0) AS pending, coalesce(l.hard, 0) AS hard, coalesce(l.overdue, 0) AS overdue,
           coalesce(v.visits_home, 0) AS visits_home, coalesce(v.visits_phone, 0) AS visits_phone,
           coalesce(g.home_visited, 0) AS home_visited, coalesce(q.required, 0) AS required,
           coalesce(q.met, 0) AS met, coalesce(g.households, 0) AS households,
           coalesce(g.special_households, 0) AS special_households, coalesce(g.residents, 0) AS residents,
           coalesce(g.floating, 0) AS floating, coalesce(s.reports_expected, 0) AS reports_expected,
           coalesce(s.reports_received, 0) AS reports_received, coalesce(s.reports_on_time, 0) AS reports_on_time
    FROM report_rows r
    LEFT JOIN ledger_rows l ON l.store_id = r.store_id AND l.row_unit = r.row_unit
    LEFT JOIN visit_rows v ON v.store_id = r.store_id AND v.row_unit = r.row_unit
    LEFT JOIN registry_rows g ON g.store_id = r.store_id AND g.row_unit = r.row_unit
    LEFT JOIN rule_rows q ON q.store_id = r.store_id AND q.row_unit = r.row_unit
    LEFT JOIN submission_rows s ON s.store_id = r.store_id AND s.row_unit = r.row_unit
),
sections AS (
    SELECT 'row' AS section, row_unit AS key, name, level, own,
           received, resolved, closed, received_resolved, due, due_on_time, resolved_on_time,
           dispatched, signed, signed_on_time, pending, hard, overdue, visits_home, visits_phone,
           home_visited, required, met, households, special_households, residents, floating,
           reports_expected, reports_received, reports_on_time
    FROM tallies
    UNION ALL
    SELECT 'total', NULL, NULL, NULL, NULL,
           sum(received), sum(resolved), sum(closed), sum(received_resolved), sum(due), sum(due_on_time),
           sum(resolved_on_time), sum(dispatched), sum(signed), sum(signed_on_time), sum(pending),
           sum(hard), sum(overdue), sum(visits_home), sum(visits_phone), sum(home_visited),
           sum(required), sum(met), sum(households), sum(special_households), sum(residents),
           sum(floating), sum(reports_expected), sum(reports_received), sum(reports_on_time)
    FROM tallies
    UNION ALL
    SELECT 'category', category, NULL, NULL, NULL,
           sum(received), sum(resolved), sum(closed), sum(received_resolved), sum(due), sum(due_on_time),
           sum(resolved_on_time), sum(dispatched), sum(signed), sum(signed_on_time), sum(pending),
           sum(hard), sum(overdue), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    FROM entry_tally GROUP BY category
    UNION ALL
    SELECT 'book', b.book, NULL, NULL, NULL,
           sum(received), sum(resolved), sum(closed), sum(received_resolved), sum(due), sum(due_on_time),
           sum(resolved_on_time), sum(dispatched), sum(signed), sum(signed_on_time), sum(pending),
           sum(hard), sum(overdue), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    FROM entry_tally t JOIN in_books b ON b.store_id = t.store_id AND b.entry_id = t.entry_id
    GROUP BY b.book
)
SELECT section, key, name, level, own,
       received, resolved, closed,
       received_resolved AS closure_rate_num, received AS closure_rate_den,
       due_on_time AS due_closure_rate_num, due AS due_closure_rate_den,
       resolved_on_time AS timely_rate_num, resolved AS timely_rate_den,
       signed AS sign_for_rate_num, dispatched AS sign_for_rate_den,
       signed_on_time AS timely_sign_for_rate_num, dispatched AS timely_sign_for_rate_den,
       pending, hard, overdue, visits_home, visits_phone,
       home_visited AS home_coverage_num, households AS home_coverage_den,
       met AS rule_compliance_num, required AS rule_compliance_den,
       households, special_households, residents, floating,
       reports_received AS report_completeness_num, reports_expected AS report_completeness_den,
       reports_on_time AS report_timeliness_num, reports_expected AS report_timeliness_den,
       CASE WHEN received > 0 THEN received_resolved / received END AS closure_rate,
       CASE WHEN due > 0 THEN due_on_time / due END AS due_closure_rate,
       CASE WHEN resolved > 0 THEN resolved_on_time / resolved END AS timely_rate,
       CASE WHEN dispatched > 0 THEN signed / dispatched END AS sign_for_rate,
       CASE WHEN dispatched > 0 THEN signed_on_time / dispatched END AS timely_sign_for_rate,
       CASE WHEN households > 0 THEN home_visited / households END AS home_coverage,
       CASE WHEN required > 0 THEN met / required END AS rule_compliance,
       CASE WHEN reports_expected > 0 THEN reports_received / reports_expected END AS report_completeness,
       CASE WHEN reports_expected > 0 THEN reports_on_time / reports_expected END AS report_timeliness
FROM sections
WHERE section IN ('row', 'total')
   OR received + resolved + closed + received_resolved + due + due_on_time + resolved_on_time
      + dispatched + signed + signed_on_time + pending + hard + overdue > 0
ORDER BY CASE section WHEN 'row' THEN 0 WHEN 'total' THEN 1 WHEN 'category' THEN 2 ELSE 3 END,
         own, key;
