"""SeaTunnel SQL to DuckDB SQL: function names and semantics, nested fields, map lookups,
``*``, lateral views, and the reserved row-kind column carried through.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from seatunnel_py.api import ROW_KIND_COLUMN

from .functions import CAST_TYPES, FUNCTIONS, KEYWORD_FUNCTIONS, Arg, SqlError, java_zone
from .query import Query
from .tokens import Kind, Token, join, matching_paren, quote_identifier, quote_string, split_top_level

INPUT = "__st_input__"
"""Name of the registered input batch inside DuckDB."""
POSITION = "__st_position__"
"""Column added to the input on the fast path: the row's position in the batch."""

RESERVED = {
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "NULL", "TRUE", "FALSE", "CASE", "WHEN",
    "THEN", "ELSE", "END", "AS", "LIKE", "ILIKE", "BETWEEN", "DISTINCT", "INTERVAL", "ESCAPE", "EXISTS",
    "AT", "ON", "SIMILAR", "GLOB", "ANY", "ALL", "SOME", "COLLATE",
}
"""Words never read as column names."""
INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT"}


class Catalog:
    """What functions DuckDB and the installed UDFs offer (names in lower case).

    DuckDB's own function list is read only when a query calls a function that is
    neither SeaTunnel's nor a UDF (it costs a catalog query).
    """

    def __init__(self, udfs: dict[str, str],
                 load: Callable[[], tuple[frozenset[str], frozenset[str], frozenset[str]]]) -> None:
        self.udfs = udfs
        """SeaTunnel name (upper case) → the name registered in DuckDB."""
        self._load = load
        self._sets: tuple[frozenset[str], frozenset[str], frozenset[str]] | None = None

    def _get(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        if self._sets is None:
            self._sets = self._load()
        return self._sets

    @property
    def scalar(self) -> frozenset[str]:
        """DuckDB scalar functions and macros."""
        return self._get()[0]

    @property
    def aggregate(self) -> frozenset[str]:
        """DuckDB aggregate functions."""
        return self._get()[1]

    @property
    def window(self) -> frozenset[str]:
        """DuckDB window functions."""
        return self._get()[2]


@dataclass(frozen=True)
class Projection:
    """The fast path for queries without lateral views: bare columns are taken from the input
    batch as they are, DuckDB computes only the other items (and which rows pass WHERE).
    """

    items: list[tuple[int, str] | None]
    """Per output item: ``(input column index, output name)`` for a bare column, ``None`` for a computed one."""
    computed: str | None
    """``SELECT [position,] <computed items> FROM input [WHERE …]``; ``None`` when DuckDB has nothing to do."""
    filtered: bool
    """True when ``computed`` starts with the input position of each row kept (there is a WHERE)."""


@dataclass(frozen=True)
class Translation:
    """The DuckDB queries for a SeaTunnel query: without and with the row-kind column."""

    plain: str
    with_row_kinds: str
    projection: Projection | None = None


def suggest(name: str, candidates: list[str]) -> str:
    """`` (did you mean 'x'?)`` or ``""``."""
    lowered = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


class Translator:
    """Rewrites one parsed query against the input schema."""

    def __init__(self, query: Query, schema: pa.Schema, catalog: Catalog,
                 type_of: Callable[[str, str], str], evaluate: Callable[[str], object] | None = None) -> None:
        self.query = query
        self._evaluate = evaluate
        self.schema = schema
        self.catalog = catalog
        self._type_of = type_of
        self.columns: dict[str, tuple[str, pa.DataType | None]] = {}
        for f in schema:
            self.columns.setdefault(f.name.lower(), (f.name, f.type))
        self.source = INPUT

    # --- entry point --------------------------------------------------------------------

    def translate(self) -> Translation:
        """Both DuckDB queries, or :class:`SqlError`."""
        q = self.query
        source = INPUT
        for view in q.laterals:
            self.source = source
            array = self.expr(view.expression)
            if view.outer:
                array = f"CASE WHEN len({array}) > 0 THEN {array} ELSE [NULL] END"
            existing = self.columns.get(view.column.lower())
            target = quote_identifier(existing[0] if existing else view.column)
            if existing:
                source = f"(SELECT * REPLACE (unnest({array}) AS {target}) FROM {source})"
            else:
                source = f"(SELECT *, unnest({array}) AS {target} FROM {source})"
            self.columns[view.column.lower()] = (existing[0] if existing else view.column, None)
        self.source = source
        items = self.select_items()
        where = f" WHERE {self.expr(q.where)}" if q.where else ""
        listed = ", ".join(sql for sql, _ in items)
        plain = f"SELECT {listed} FROM {source}{where}"
        kinds = f"SELECT {listed}, {quote_identifier(ROW_KIND_COLUMN)} FROM {source}{where}"
        projection = None
        if not q.laterals:
            computed = [sql for sql, column in items if column is None]
            if where:
                computed.insert(0, quote_identifier(POSITION))
            query = f"SELECT {', '.join(computed)} FROM {source}{where}" if computed else None
            projection = Projection([column for _, column in items], query, bool(where))
        return Translation(plain, kinds, projection)

    def type_of(self, sql: str) -> str:
        """DuckDB's type name for ``sql`` over the current source."""
        return self._type_of(sql, self.source)

    # --- select list --------------------------------------------------------------------

    def select_items(self) -> list[tuple[str, tuple[int, str] | None]]:
        """Every output item as DuckDB SQL, with ``(input index, name)`` when it is a bare input column."""
        out: list[tuple[str, tuple[int, str] | None]] = []
        for item in split_top_level(self.query.select):
            if not item:
                raise SqlError("empty item in the select list (two commas in a row?)")
            if len(item) == 1 and item[0].is_op("*"):
                out.extend(self.star())
            elif len(item) == 3 and item[1].is_op(".") and item[2].is_op("*"):
                if not self.is_table(item[0]):
                    raise SqlError(f"unknown table {item[0].value!r} in {join(item)} "
                                   f"(the input is {self.query.table!r})")
                out.extend(self.star())
            else:
                out.append((self.expr(item), self.bare_column(item)))
        return out

    def bare_column(self, item: list[Token]) -> tuple[int, str] | None:
        """``(input index, output name)`` for ``col``, ``col AS name``, ``col name``, ``table.col …``."""
        if len(item) >= 3 and item[1].is_op(".") and self.is_table(item[0]) \
                and item[0].value.lower() not in self.columns:
            item = item[2:]
        if not item or item[0].kind not in (Kind.WORD, Kind.QUOTED) or item[0].upper in RESERVED:
            return None
        if len(item) == 1:
            alias = None
        elif len(item) == 2 and item[1].kind in (Kind.WORD, Kind.QUOTED) and item[1].upper not in RESERVED:
            alias = item[1].value
        elif len(item) == 3 and item[1].is_word("AS") and item[2].kind in (Kind.WORD, Kind.QUOTED):
            alias = item[2].value
        else:
            return None
        if item[0].kind == Kind.WORD and item[0].upper in KEYWORD_FUNCTIONS:
            return None
        found = self.columns.get(item[0].value.lower())
        if found is None or found[1] is None:
            return None
        index = self.schema.get_field_index(found[0])
        if index < 0:
            return None
        return index, alias if alias is not None else found[0]

    def star(self) -> list[tuple[str, tuple[int, str] | None]]:
        names = [name for name, _ in self.columns.values()]
        if not names:
            raise SqlError("SELECT * over an input without columns")
        out: list[tuple[str, tuple[int, str] | None]] = []
        for name in names:
            index = self.schema.get_field_index(name)
            out.append((quote_identifier(name), (index, name) if index >= 0 and not self.query.laterals else None))
        return out

    def is_table(self, token: Token) -> bool:
        if token.kind not in (Kind.WORD, Kind.QUOTED):
            return False
        names = {self.query.table.lower(), self.query.table.split(".")[-1].lower(), "dual"}
        if self.query.alias:
            names.add(self.query.alias.lower())
        return token.value.lower() in names

    # --- expressions --------------------------------------------------------------------

    def expr(self, tokens: list[Token]) -> str:
        """Translate one expression (a select item with its alias, a WHERE condition …)."""
        out: list[str] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            prev = tokens[i - 1] if i > 0 else None
            if token.kind == Kind.WORD and nxt is not None and nxt.is_op("(") and token.upper not in RESERVED \
                    and not (prev is not None and prev.is_op(".")):
                close = matching_paren(tokens, i + 1)
                out.append(self.call(token.value, tokens[i + 2:close]))
                i = close + 1
                continue
            if token.kind == Kind.WORD and token.upper in KEYWORD_FUNCTIONS and token.value.lower() not in self.columns:
                out.append(FUNCTIONS[token.upper].build([], self.type_of))
                i += 1
                continue
            if token.is_word("AT") and i + 3 < len(tokens) and tokens[i + 1].is_word("TIME") \
                    and tokens[i + 2].is_word("ZONE"):
                zone_token = tokens[i + 3]
                if zone_token.kind == Kind.STRING:
                    zone = java_zone(Arg(zone_token.text, zone_token.value))
                    if self._evaluate is not None:  # an unknown zone fails at plan time
                        self._evaluate(f"timezone({zone}, TIMESTAMPTZ '2000-01-01 00:00:00+00')")
                else:
                    zone = self.expr([zone_token])
                out.append(f"st_at_time_zone({self.pop_operand(out)}, {zone})")
                i += 4
                continue
            if prev is not None and prev.is_word("AS"):
                out.append(quote_identifier(token.value) if token.kind in (Kind.WORD, Kind.QUOTED) else token.text)
                i += 1
                continue
            if prev is not None and prev.is_op("::"):
                out.append(self.cast_type(tokens[i:i + 1]))
                i += 1
                continue
            if token.kind in (Kind.WORD, Kind.QUOTED) and token.upper not in RESERVED:
                end = i + 1
                while end + 1 < len(tokens) and tokens[end].is_op(".") \
                        and tokens[end + 1].kind in (Kind.WORD, Kind.QUOTED):
                    end += 2
                out.append(self.path(tokens[i:end:2]))
                i = end
                continue
            if token.kind == Kind.NUMBER and any(c in token.text for c in ".eE"):
                out.append(f"{token.text}::DOUBLE")  # as in SeaTunnel, 5.4 is a DOUBLE (DuckDB reads a DECIMAL)
            else:
                out.append(token.text)
            i += 1
        return " ".join(out)

    @staticmethod
    def pop_operand(out: list[str]) -> str:
        """Remove and return the operand before a postfix operator (``AT TIME ZONE``)."""
        if not out:
            raise SqlError("AT TIME ZONE needs a value before it")
        end = len(out)
        start = end - 1
        if out[-1] == ")":
            depth = 0
            for j in range(end - 1, -1, -1):
                if out[j] == ")":
                    depth += 1
                elif out[j] == "(":
                    depth -= 1
                if depth == 0:
                    start = j
                    break
        operand = " ".join(out[start:])
        del out[start:]
        return operand

    def path(self, parts: list[Token]) -> str:
        """A column, ``row.field.field`` or ``map.key`` (``table.column`` too)."""
        names = [p.value for p in parts]
        first = self.columns.get(names[0].lower())
        if first is None and len(parts) > 1 and self.is_table(parts[0]):
            parts, names = parts[1:], names[1:]
            first = self.columns.get(names[0].lower())
        if first is None:
            # not a column: a keyword, an alias, or a mistake DuckDB reports (mapped to a message later)
            return ".".join(p.text for p in parts)
        name, dtype = first
        out = quote_identifier(name)
        shown = name
        for part in names[1:]:
            if dtype is not None and pa.types.is_struct(dtype):
                fields = {dtype.field(j).name.lower(): dtype.field(j) for j in range(dtype.num_fields)}
                child = fields.get(part.lower())
                if child is None:
                    hint = suggest(part, [dtype.field(j).name for j in range(dtype.num_fields)])
                    raise SqlError(f"row {shown!r} has no field {part!r}{hint}")
                out += "." + quote_identifier(child.name)
                dtype = child.type
            elif dtype is not None and pa.types.is_map(dtype):
                key = quote_string(part)
                if pa.types.is_integer(dtype.key_type) and part.lstrip("-").isdigit():
                    key = part
                out += f"[{key}]"
                dtype = dtype.item_type
            elif dtype is None:
                out += "." + quote_identifier(part)
            else:
                raise SqlError(f"{shown!r} is {dtype}, not a row or a map, so {shown}.{part} has no meaning")
            shown += "." + part
        return out

    def cast_type(self, tokens: list[Token]) -> str:
        if not tokens or tokens[0].kind != Kind.WORD:
            raise SqlError(f"expected a type name in CAST (got {join(tokens)!r})")
        name = tokens[0].upper
        if name not in CAST_TYPES:
            raise SqlError(f"unknown CAST type {tokens[0].value!r}{suggest(name, list(CAST_TYPES))} (expected "
                           "STRING, VARCHAR, BOOLEAN, TINYINT, BYTE, SMALLINT, INT, BIGINT, LONG, FLOAT, DOUBLE, "
                           "DECIMAL(p, s), TIMESTAMP, DATE, TIME or BYTES)")
        return CAST_TYPES[name] + join(tokens[1:])

    def call(self, name: str, args: list[Token]) -> str:
        upper = name.upper()
        lower = name.lower()
        if upper in ("CAST", "TRY_CAST"):
            return self.cast(upper, args)
        if upper == "EXTRACT":
            return self.extract(args)
        if upper == "EXPLODE":
            raise SqlError("EXPLODE is only allowed in LATERAL VIEW [OUTER] EXPLODE(…) AS column")
        keyword_args = any(t.is_word("FROM", "FOR", "IN", "BOTH", "LEADING", "TRAILING") for t in args)
        if keyword_args and upper in ("TRIM", "SUBSTRING", "POSITION", "OVERLAY"):
            return f"{lower}({self.expr(args)})"
        if upper in FUNCTIONS:
            spec = FUNCTIONS[upper]
            parts = split_top_level(args) if args else []
            translated = [self.arg(p) for p in parts]
            count = len(translated)
            if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
                expected = str(spec.min_args) if spec.max_args == spec.min_args else (
                    f"{spec.min_args} or more" if spec.max_args is None else f"{spec.min_args} to {spec.max_args}")
                raise SqlError(f"{upper} takes {expected} argument{'s' if expected != '1' else ''} (got {count})")
            return spec.build(translated, self.type_of)
        if upper in self.catalog.udfs:
            parts = split_top_level(args) if args else []
            return f"{self.catalog.udfs[upper]}({', '.join(self.arg(p).sql for p in parts)})"
        if lower in self.catalog.aggregate and lower not in self.catalog.scalar:
            raise SqlError(f"aggregate function {upper} is not supported: the Sql transform sees one batch at a "
                           "time, so there is no aggregation across batches")
        if lower in self.catalog.window and lower not in self.catalog.scalar:
            raise SqlError(f"window function {upper} is not supported: the Sql transform sees one batch at a time")
        if lower in self.catalog.scalar and not lower.startswith("st_"):
            parts = split_top_level(args) if args else []
            return f"{lower}({', '.join(self.arg(p).sql for p in parts)})"
        known = [*FUNCTIONS, *self.catalog.udfs]
        raise SqlError(f"unknown function {name!r}{suggest(upper, known)}")

    def arg(self, tokens: list[Token]) -> Arg:
        if not tokens:
            raise SqlError("empty function argument (two commas in a row?)")
        if len(tokens) == 1 and tokens[0].kind == Kind.STRING:
            return Arg(tokens[0].text, tokens[0].value)
        if len(tokens) == 1 and tokens[0].is_word("NULL"):
            return Arg("NULL", None, is_null=True)
        return Arg(self.expr(tokens))

    def cast(self, function: str, args: list[Token]) -> str:
        depth = 0
        split = -1
        for i, token in enumerate(args):
            if token.is_op("(", "["):
                depth += 1
            elif token.is_op(")", "]"):
                depth -= 1
            elif depth == 0 and token.is_word("AS"):
                split = i
        if split <= 0 or split == len(args) - 1:
            raise SqlError(f"{function} needs (value AS type)")
        value, target = self.expr(args[:split]), self.cast_type(args[split + 1:])
        if target in ("TIMESTAMP", "DATE", "TIME") and self.type_of(value) in INTEGERS:
            return self.cast_integer(function, value, target)
        return f"{function}({value} AS {target})"

    @staticmethod
    def cast_integer(function: str, value: str, target: str) -> str:
        """SeaTunnel reads integers as epoch milliseconds (TIMESTAMP), yyyyMMdd (DATE), HHmmss (TIME)."""
        parse = "try_strptime" if function == "TRY_CAST" else "strptime"
        if target == "TIMESTAMP":
            return f"CAST(to_timestamp(CAST({value} AS DOUBLE) / 1000.0) AS TIMESTAMP)"
        if target == "DATE":
            return f"CAST({parse}(CAST({value} AS VARCHAR), '%Y%m%d') AS DATE)"
        return f"CAST({parse}(lpad(CAST({value} AS VARCHAR), 6, '0'), '%H%M%S') AS TIME)"

    def extract(self, args: list[Token]) -> str:
        if len(args) < 3 or args[0].kind != Kind.WORD or not args[1].is_word("FROM"):
            raise SqlError("EXTRACT needs (field FROM value), e.g. EXTRACT(YEAR FROM created)")
        field = args[0].upper
        value = self.expr(args[2:])
        if field == "EPOCH":
            return f"extract(epoch FROM {value})"
        if field == "WEEK":
            return f"st_week({value})"
        if field in ("DOW", "DAYOFWEEK"):
            field = "DOW"
        return f"CAST(extract({field.lower()} FROM {value}) AS INTEGER)"
