"""The shape of a SeaTunnel Sql query: one SELECT over one table, lateral views, a WHERE.

``parse_query`` splits the query into its clauses and refuses what a per-batch transform
cannot do soundly (joins, GROUP BY, ORDER BY, LIMIT, set operations, sub-queries in FROM),
as SeaTunnel does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .functions import SqlError
from .tokens import Kind, Token, TokenizeError, matching_paren, significant, tokenize

REFUSED = {
    "JOIN": "joins are not supported: the Sql transform sees one batch of one input at a time",
    "GROUP": "GROUP BY is not supported: the Sql transform sees one batch at a time, so groups would be per batch",
    "HAVING": "HAVING is not supported (no aggregation across batches)",
    "ORDER": "ORDER BY is not supported: rows keep their input order, one batch at a time",
    "LIMIT": "LIMIT is not supported: it would apply to every batch, not to the job",
    "OFFSET": "OFFSET is not supported: it would apply to every batch, not to the job",
    "FETCH": "FETCH is not supported: it would apply to every batch, not to the job",
    "UNION": "UNION is not supported: one SELECT over one input",
    "INTERSECT": "INTERSECT is not supported: one SELECT over one input",
    "EXCEPT": "EXCEPT is not supported: one SELECT over one input",
    "WINDOW": "window functions are not supported (no state across batches)",
    "QUALIFY": "QUALIFY is not supported (no window functions)",
}


@dataclass
class LateralView:
    """``LATERAL VIEW [OUTER] EXPLODE(expression) [alias] AS column``."""

    outer: bool
    expression: list[Token]
    column: str


@dataclass
class Query:
    """A parsed SeaTunnel query: its select list, input table, lateral views and filter."""

    select: list[Token]
    table: str
    alias: str | None = None
    laterals: list[LateralView] = field(default_factory=list)
    where: list[Token] | None = None


def _name(token: Token) -> str | None:
    if token.kind == Kind.QUOTED:
        return token.value
    if token.kind == Kind.WORD:
        return token.value
    return None


def _refuse_clauses(tokens: list[Token]) -> None:
    depth = 0
    for i, token in enumerate(tokens):
        if token.is_op("(", "["):
            depth += 1
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is not None and nxt.is_word("SELECT"):
                raise SqlError("sub-queries are not supported: one SELECT over one input")
        elif token.is_op(")", "]"):
            depth -= 1
        elif token.kind == Kind.WORD and token.upper in REFUSED and depth == 0:
            raise SqlError(REFUSED[token.upper])
        elif token.is_word("OVER"):
            raise SqlError("window functions (OVER) are not supported: the Sql transform sees one batch at a time")
    if depth != 0:
        raise SqlError("unbalanced parentheses in the query")


def parse_query(text: str) -> Query:
    """Split ``text`` into a :class:`Query` or raise :class:`SqlError` saying what is not supported."""
    try:
        tokens = significant(tokenize(text))
    except TokenizeError as exc:
        raise SqlError(f"cannot read the query: {exc}") from None
    while tokens and tokens[-1].is_op(";"):
        tokens.pop()
    if not tokens or not tokens[0].is_word("SELECT"):
        first = tokens[0].text if tokens else "nothing"
        raise SqlError(f"only SELECT queries are supported (the query starts with {first!r})")
    if any(t.is_op(";") for t in tokens):
        raise SqlError("only one statement is supported (found ';' inside the query)")
    _refuse_clauses(tokens)
    depth = 0
    from_at = -1
    for i, token in enumerate(tokens):
        if token.is_op("(", "["):
            depth += 1
        elif token.is_op(")", "]"):
            depth -= 1
        elif depth == 0 and token.is_word("FROM"):
            from_at = i
            break
    if from_at < 0:
        raise SqlError("the query has no FROM (expected SELECT … FROM <table>, where <table> is the plugin_input "
                       "name, the catalog table name or dual)")
    select = tokens[1:from_at]
    if select and select[0].is_word("DISTINCT"):
        raise SqlError("SELECT DISTINCT is not supported: it would remove duplicates within each batch only")
    if select and select[0].is_word("ALL"):
        select = select[1:]
    if not select:
        raise SqlError("the query selects nothing (expected SELECT <columns> FROM …)")
    rest = tokens[from_at + 1:]
    if not rest:
        raise SqlError("expected a table name after FROM")
    if rest[0].is_op("("):
        raise SqlError("sub-queries in FROM are not supported: one SELECT over one input")
    table_parts: list[str] = []
    i = 0
    while i < len(rest):
        name = _name(rest[i])
        if name is None:
            raise SqlError(f"expected a table name after FROM (got {rest[i].text!r})")
        table_parts.append(name)
        if i + 2 < len(rest) and rest[i + 1].is_op(".") and _name(rest[i + 2]) is not None:
            i += 2
            continue
        i += 1
        break
    query = Query(select=select, table=".".join(table_parts))
    rest = rest[i:]
    if rest and rest[0].is_word("AS"):
        rest = rest[1:]
        if not rest or _name(rest[0]) is None:
            raise SqlError("expected a table alias after AS")
    if rest and _name(rest[0]) is not None and not rest[0].is_word("WHERE", "LATERAL"):
        query.alias = _name(rest[0])
        rest = rest[1:]
    if rest and rest[0].is_op(","):
        raise SqlError("joins are not supported: the Sql transform sees one batch of one input at a time")
    while rest and rest[0].is_word("LATERAL"):
        rest = _lateral(rest, query)
    if rest and rest[0].is_word("WHERE"):
        query.where = rest[1:]
        if not query.where:
            raise SqlError("WHERE without a condition")
        rest = []
    if rest:
        raise SqlError(f"unexpected {rest[0].text!r} after the table name (expected LATERAL VIEW or WHERE)")
    return query


def _lateral(rest: list[Token], query: Query) -> list[Token]:
    if len(rest) < 2 or not rest[1].is_word("VIEW"):
        raise SqlError("expected LATERAL VIEW [OUTER] EXPLODE(…) AS column")
    rest = rest[2:]
    outer = bool(rest) and rest[0].is_word("OUTER")
    if outer:
        rest = rest[1:]
    if len(rest) < 2 or not rest[0].is_word("EXPLODE") or not rest[1].is_op("("):
        got = rest[0].text if rest else "nothing"
        raise SqlError(f"LATERAL VIEW supports EXPLODE(…) only (got {got!r})")
    close = matching_paren(rest, 1)
    expression = rest[2:close]
    if not expression:
        raise SqlError("EXPLODE() needs an array expression")
    rest = rest[close + 1:]
    if rest and not rest[0].is_word("AS") and _name(rest[0]) is not None:
        rest = rest[1:]  # Hive's table alias: LATERAL VIEW EXPLODE(x) t AS col
    if len(rest) < 2 or not rest[0].is_word("AS") or _name(rest[1]) is None:
        raise SqlError("LATERAL VIEW EXPLODE(…) needs AS <column name>")
    column = _name(rest[1])
    assert column is not None
    query.laterals.append(LateralView(outer, expression, column))
    return rest[2:]
