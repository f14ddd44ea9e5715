"""DuckDB macros behind the SeaTunnel functions whose meaning DuckDB has no function for.

They are created once per process in the shared DuckDB database (:mod:`.engine`); their
names start with ``st_`` and are not callable from queries by those names.
"""

from __future__ import annotations

MACROS = [
    # LOCATE(search, text, start): 1-based, 0 when absent; a negative start finds the rightmost match
    """CREATE OR REPLACE MACRO st_locate(search, txt, start) AS
       CASE WHEN search IS NULL OR txt IS NULL THEN NULL
            WHEN start < 0 THEN CASE WHEN instr(reverse(txt), reverse(search)) = 0 THEN 0
                 ELSE length(txt) - instr(reverse(txt), reverse(search)) - length(search) + 2 END
            WHEN instr(substr(txt, greatest(start, 1)), search) = 0 THEN 0
            ELSE instr(substr(txt, greatest(start, 1)), search) + greatest(start, 1) - 1 END""",
    """CREATE OR REPLACE MACRO st_insert(s, pos, len, add) AS
       CASE WHEN s IS NULL THEN NULL
            ELSE concat(left(s, CAST(pos AS BIGINT) - 1), add, substr(s, CAST(pos AS BIGINT) + CAST(len AS BIGINT)))
       END""",
    """CREATE OR REPLACE MACRO st_rawtohex(s) AS
       array_to_string(list_transform(string_split(s, ''), lambda c: lpad(lower(hex(unicode(c))), 4, '0')), '')""",
    """CREATE OR REPLACE MACRO st_hextoraw(s) AS
       array_to_string(list_transform(range(0, length(s) // 4),
                                      lambda i: chr(CAST('0x' || substr(s, i * 4 + 1, 4) AS INTEGER))), '')""",
    """CREATE OR REPLACE MACRO st_trim_scale(s) AS
       CASE WHEN contains(s, '.') THEN regexp_replace(regexp_replace(s, '0+$', ''), '\\.$', '') ELSE s END""",
    """CREATE OR REPLACE MACRO st_quarters(n) AS to_months(n * 3)""",
    # SeaTunnel's x AT TIME ZONE z: the same instant (a TIMESTAMP is read in the local zone) as a
    # TIMESTAMP_TZ; the zone is checked (an unknown one fails) but an instant carries no zone
    """CREATE OR REPLACE MACRO st_at_time_zone(x, z) AS
       CASE WHEN timezone(z, TIMESTAMPTZ '2000-01-01 00:00:00+00') IS NULL THEN NULL
            ELSE CAST(x AS TIMESTAMPTZ) END""",
    # Java's Period.between(a, b).toTotalMonths(): whole months between two dates
    """CREATE OR REPLACE MACRO st_months_between(a, b) AS
       CASE WHEN (year(b) * 12 + month(b)) - (year(a) * 12 + month(a)) > 0 AND day(b) < day(a)
                 THEN (year(b) * 12 + month(b)) - (year(a) * 12 + month(a)) - 1
            WHEN (year(b) * 12 + month(b)) - (year(a) * 12 + month(a)) < 0 AND day(b) > day(a)
                 THEN (year(b) * 12 + month(b)) - (year(a) * 12 + month(a)) + 1
            ELSE (year(b) * 12 + month(b)) - (year(a) * 12 + month(a)) END""",
    # Java's WeekFields.ISO.weekOfYear(): weeks start on Monday, week 1 has at least 4 days, days
    # before it are week 0 (SeaTunnel's WEEK)
    """CREATE OR REPLACE MACRO st_week(d) AS
       CAST((dayofyear(d) - 1 + isodow(date_trunc('year', d)) - 1) // 7
            + CASE WHEN isodow(date_trunc('year', d)) <= 4 THEN 1 ELSE 0 END AS INTEGER)""",
    # vectors: arrays of numbers, computed in DOUBLE; a dimension mismatch fails as in SeaTunnel
    """CREATE OR REPLACE MACRO st_same_dims(a, b) AS
       CASE WHEN len(a) <> len(b) THEN error('Vectors must have the same dimension: ' || len(a) || ' vs ' || len(b))
            ELSE true END""",
    """CREATE OR REPLACE MACRO st_vector_norm(v) AS
       sqrt(coalesce(list_sum(list_transform(CAST(v AS DOUBLE[]), lambda x: x * x)), 0.0))""",
    """CREATE OR REPLACE MACRO st_inner_product(a, b) AS
       CASE WHEN st_same_dims(a, b) THEN coalesce(list_sum(list_transform(range(1, len(a) + 1),
            lambda i: CAST(a[i] AS DOUBLE) * CAST(b[i] AS DOUBLE))), 0.0) END""",
    """CREATE OR REPLACE MACRO st_cosine_distance(a, b) AS
       CASE WHEN st_same_dims(a, b) THEN
            CASE WHEN st_vector_norm(a) = 0 OR st_vector_norm(b) = 0 THEN 1.0
                 ELSE 1.0 - st_inner_product(a, b) / (st_vector_norm(a) * st_vector_norm(b)) END END""",
    """CREATE OR REPLACE MACRO st_l1_distance(a, b) AS
       CASE WHEN st_same_dims(a, b) THEN coalesce(list_sum(list_transform(range(1, len(a) + 1),
            lambda i: abs(CAST(a[i] AS DOUBLE) - CAST(b[i] AS DOUBLE)))), 0.0) END""",
    """CREATE OR REPLACE MACRO st_l2_distance(a, b) AS
       CASE WHEN st_same_dims(a, b) THEN sqrt(coalesce(list_sum(list_transform(range(1, len(a) + 1),
            lambda i: (CAST(a[i] AS DOUBLE) - CAST(b[i] AS DOUBLE)) ** 2)), 0.0)) END""",
    """CREATE OR REPLACE MACRO st_vector_normalize(v) AS
       CASE WHEN st_vector_norm(v) = 0 THEN CAST(v AS FLOAT[])
            ELSE list_transform(CAST(v AS DOUBLE[]), lambda x: CAST(x / st_vector_norm(v) AS FLOAT)) END""",
    """CREATE OR REPLACE MACRO st_vector_truncate(v, n) AS
       CASE WHEN len(v) <= n THEN CAST(v AS FLOAT[]) ELSE CAST(v[1:n] AS FLOAT[]) END""",
    # Java's String.split(regex): trailing empty strings are removed
    """CREATE OR REPLACE MACRO st_split(s, sep) AS
       CASE WHEN s IS NULL THEN NULL WHEN s = '' THEN [''] ELSE
       string_split_regex(regexp_replace(s, '(' || sep || ')+$', ''), sep) END""",
    # SOUNDEX: first letter, then the codes of the following letters, adjacent equal codes once
    # (also across H and W), vowels dropped, padded with 0 to four characters
    """CREATE OR REPLACE MACRO st_soundex_codes(s) AS
       translate(upper(regexp_replace(s, '[^A-Za-z]', '', 'g')),
                 'AEIOUYHWBFPVCGJKQSXZDTLMNR', '00000099111122222222334556')""",
    """CREATE OR REPLACE MACRO st_soundex_dedup(c) AS
       regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
         c, '1+', '1', 'g'), '2+', '2', 'g'), '3+', '3', 'g'), '4+', '4', 'g'), '5+', '5', 'g'), '6+', '6', 'g')""",
    """CREATE OR REPLACE MACRO st_soundex(s) AS
       CASE WHEN s IS NULL THEN NULL
            WHEN regexp_replace(s, '[^A-Za-z]', '', 'g') = '' THEN ''
            ELSE left(upper(regexp_replace(s, '[^A-Za-z]', '', 'g')), 1) || rpad(replace(
                 substr(st_soundex_dedup(replace(st_soundex_codes(s), '9', '')),
                        CASE WHEN left(st_soundex_codes(s), 1) = '9' THEN 1 ELSE 2 END), '0', ''), 3, '0')
       END""",
]
"""Helper macros created in every DuckDB connection the transform uses."""
