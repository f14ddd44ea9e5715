"""SeaTunnel's SQL functions (reference §3.15) translated to DuckDB SQL.

Each entry takes the already translated arguments and returns DuckDB SQL text. Where
DuckDB's function of the same name differs (LOG with one argument, REGEXP_REPLACE
replacing only the first match, LOCATE's argument order, date patterns written for
Java) the translation keeps SeaTunnel's meaning; where a result type differs it is cast
to SeaTunnel's (HOUR … YEAR, SIGN, EXTRACT are INT; TRUNC is DOUBLE).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .javatime import FormatError, parsed_kind, to_strftime, to_strftime_parts
from .tokens import quote_string


class SqlError(ValueError):
    """The query cannot be translated; the message is shown to the user as is."""


@dataclass(frozen=True)
class Arg:
    """One translated argument: its DuckDB SQL and, for a string literal, its value."""

    sql: str
    literal: str | None = None
    is_null: bool = False


TypeOf = Callable[[str], str]
"""Returns the DuckDB type name (``VARCHAR``, ``BLOB``, ``DATE`` …) of an SQL expression."""


@dataclass(frozen=True)
class FunctionSpec:
    """A SeaTunnel function: how many arguments, and how to write it for DuckDB."""

    min_args: int
    max_args: int | None
    build: Callable[[list[Arg], TypeOf], str]
    family: str


def _call(name: str) -> Callable[[list[Arg], TypeOf], str]:
    return lambda a, t: f"{name}({', '.join(x.sql for x in a)})"


def _int(name: str) -> Callable[[list[Arg], TypeOf], str]:
    return lambda a, t: f"CAST({name}({', '.join(x.sql for x in a)}) AS INTEGER)"


def _literal(args: list[Arg], index: int, function: str, what: str) -> str:
    value = args[index].literal
    if value is None:
        raise SqlError(f"{function}: the {what} must be a string literal (got {args[index].sql})")
    return value


def _java_format(args: list[Arg], index: int, function: str) -> str:
    try:
        return quote_string(to_strftime(_literal(args, index, function, "format")))
    except FormatError as exc:
        raise SqlError(f"{function}: {exc}") from None


_REGEX_FLAGS = {"i": "i", "c": "c", "n": "s", "m": "m"}


def _regex_flags(args: list[Arg], index: int, function: str, extra: str = "") -> str:
    if len(args) <= index or args[index].is_null:
        return quote_string(extra) if extra else ""
    flags = _literal(args, index, function, "flags")
    out = []
    for flag in flags:
        if flag not in _REGEX_FLAGS:
            raise SqlError(f"{function}: flag {flag!r} is not one of 'i', 'c', 'n', 'm'")
        out.append(_REGEX_FLAGS[flag])
    return quote_string(extra + "".join(out))


def _java_replacement(arg: Arg) -> str:
    """Java's ``$1`` group references in a replacement become RE2's ``\\1``."""
    if arg.literal is not None:
        text = re.sub(r"\\(.)", lambda m: m.group(1) if m.group(1) != "\\" else "\\\\", arg.literal)
        text = re.sub(r"\$(\d)", r"\\\1", text)
        return quote_string(text)
    return f"regexp_replace({arg.sql}, '\\$(\\d)', '\\\\\\1', 'g')"


def _regexp_replace(a: list[Arg], t: TypeOf) -> str:
    flags = _regex_flags(a, 3, "REGEXP_REPLACE", "g")
    return f"regexp_replace({a[0].sql}, {a[1].sql}, {_java_replacement(a[2])}, {flags})"


def _regexp_like(a: list[Arg], t: TypeOf) -> str:
    flags = _regex_flags(a, 2, "REGEXP_LIKE")
    return f"regexp_matches({a[0].sql}, {a[1].sql}{', ' + flags if flags else ''})"


def _regexp_substr(a: list[Arg], t: TypeOf) -> str:
    text = a[0].sql if len(a) < 3 else f"substr({a[0].sql}, {a[2].sql})"
    occurrence = a[3].sql if len(a) > 3 else "1"
    flags = _regex_flags(a, 4, "REGEXP_SUBSTR")
    group = a[5].sql if len(a) > 5 else "0"
    options = f", {flags}" if flags else ""
    return f"list_extract(regexp_extract_all({text}, {a[1].sql}, {group}{options}), {occurrence})"


def _locate(search: str, text: str, start: str = "1") -> str:
    return f"CAST(st_locate({search}, {text}, {start}) AS INTEGER)"


def _octets(a: list[Arg], t: TypeOf) -> str:
    kind = t(a[0].sql)
    if kind == "BLOB":
        return f"octet_length({a[0].sql})"
    return f"octet_length(encode(CAST({a[0].sql} AS VARCHAR)))"


def _rawtohex(a: list[Arg], t: TypeOf) -> str:
    if t(a[0].sql) == "BLOB":
        return f"lower(hex({a[0].sql}))"
    return f"st_rawtohex(CAST({a[0].sql} AS VARCHAR))"


def _pad(name: str) -> Callable[[list[Arg], TypeOf], str]:
    return lambda a, t: (f"{name}(CAST({a[0].sql} AS VARCHAR), {a[1].sql}, "
                         f"{a[2].sql if len(a) > 2 else quote_string(' ')})")


def _trim(name: str) -> Callable[[list[Arg], TypeOf], str]:
    return lambda a, t: f"{name}({', '.join(x.sql for x in a)})"


def _to_char(a: list[Arg], t: TypeOf) -> str:
    if len(a) == 1:
        return f"CAST({a[0].sql} AS VARCHAR)"
    _literal(a, 1, "TO_CHAR", "format")
    kind = t(a[0].sql)
    if kind in ("DATE", "TIME") or kind.startswith("TIMESTAMP"):
        return _formatted(a, t, "TO_CHAR")
    raise SqlError(f"TO_CHAR with a format works on dates, times and timestamps (got {kind})")


def _trunc(a: list[Arg], t: TypeOf) -> str:
    digits = a[1].sql if len(a) > 1 else "0"
    return f"CAST(trunc(CAST({a[0].sql} AS DOUBLE), {digits}) AS DOUBLE)"


def _log(a: list[Arg], t: TypeOf) -> str:
    if len(a) == 1:
        return f"ln({a[0].sql})"
    return f"log({a[0].sql}, {a[1].sql})"


_UNITS = {
    "YEAR": "to_years", "YEARS": "to_years", "YY": "to_years", "YYYY": "to_years",
    "QUARTER": "st_quarters", "MONTH": "to_months", "MONTHS": "to_months", "MM": "to_months",
    "WEEK": "to_weeks", "WEEKS": "to_weeks", "DAY": "to_days", "DAYS": "to_days", "DD": "to_days",
    "HOUR": "to_hours", "HOURS": "to_hours", "HH": "to_hours",
    "MINUTE": "to_minutes", "MINUTES": "to_minutes", "MI": "to_minutes",
    "SECOND": "to_seconds", "SECONDS": "to_seconds", "SS": "to_seconds",
    "MILLISECOND": "to_milliseconds", "MILLISECONDS": "to_milliseconds", "MS": "to_milliseconds",
    "MICROSECOND": "to_microseconds", "MICROSECONDS": "to_microseconds",
}
_DATE_UNITS = ("to_years", "st_quarters", "to_months", "to_weeks", "to_days")


def _unit(args: list[Arg], index: int, function: str) -> str:
    unit = _literal(args, index, function, "unit").strip().upper()
    if unit not in _UNITS:
        raise SqlError(f"{function}: unknown unit {unit!r} (expected YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, "
                       "MINUTE, SECOND, MILLISECOND or MICROSECOND)")
    return unit


def _dateadd(a: list[Arg], t: TypeOf) -> str:
    unit = _UNITS[_unit_or_day(a, 2, "DATEADD")]
    kind = t(a[0].sql)
    shifted = f"({a[0].sql} + {unit}(CAST({a[1].sql} AS BIGINT)))"
    if kind == "DATE" and unit in _DATE_UNITS:
        return f"CAST({shifted} AS DATE)"
    if kind == "TIME":
        if unit in _DATE_UNITS:
            raise SqlError("DATEADD: YEAR, MONTH, WEEK and DAY cannot be added to a TIME value")
        return f"CAST({shifted} AS TIME)"
    return shifted


def _unit_or_day(args: list[Arg], index: int, function: str) -> str:
    """The unit argument (``DAY`` when omitted, as in SeaTunnel)."""
    if len(args) <= index:
        return "DAY"
    return _unit(args, index, function)


def _datediff(a: list[Arg], t: TypeOf) -> str:
    """SeaTunnel's DATEDIFF(a, b[, unit]): YEAR and MONTH are whole periods between the dates
    (``Period.between``), DAY counts days between the dates, WEEK is whole days / 7, HOUR and
    smaller are whole units of the duration (``Duration.between``, truncated toward zero)."""
    unit = {"YEARS": "YEAR", "YY": "YEAR", "YYYY": "YEAR", "MONTHS": "MONTH", "MM": "MONTH", "WEEKS": "WEEK",
            "DAYS": "DAY", "DD": "DAY", "HOURS": "HOUR", "HH": "HOUR", "MINUTES": "MINUTE", "MI": "MINUTE",
            "SECONDS": "SECOND", "SS": "SECOND", "MILLISECONDS": "MILLISECOND", "MS": "MILLISECOND",
            "MICROSECONDS": "MICROSECOND"}.get(_unit_or_day(a, 2, "DATEDIFF"), _unit_or_day(a, 2, "DATEDIFF"))
    x, y = a[0].sql, a[1].sql
    if unit == "YEAR":
        return f"CAST(trunc(st_months_between({x}, {y}) / 12.0) AS BIGINT)"
    if unit == "MONTH":
        return f"st_months_between({x}, {y})"
    if unit == "QUARTER":
        return f"CAST(trunc(st_months_between({x}, {y}) / 3.0) AS BIGINT)"
    if unit == "WEEK":
        return f"CAST(trunc(datesub('day', CAST({x} AS TIMESTAMP), CAST({y} AS TIMESTAMP)) / 7.0) AS BIGINT)"
    if unit == "DAY":
        return f"date_diff('day', CAST({x} AS DATE), CAST({y} AS DATE))"
    return f"datesub({quote_string(unit.lower())}, CAST({x} AS TIMESTAMP), CAST({y} AS TIMESTAMP))"


def _date_trunc(a: list[Arg], t: TypeOf) -> str:
    unit = _literal(a, 1, "DATE_TRUNC", "unit").strip().lower() if len(a) > 1 else "day"
    if unit not in ("year", "month", "day", "hour", "minute", "second"):
        raise SqlError(f"DATE_TRUNC: unknown unit {unit.upper()!r} (expected YEAR, MONTH, DAY, HOUR, MINUTE or SECOND)")
    return f"CAST(date_trunc({quote_string(unit)}, {a[0].sql}) AS TIMESTAMP)"


def _formatted(a: list[Arg], t: TypeOf, function: str) -> str:
    """strftime pieces, and fractions of a second of any width (``S`` = tenths, ``SSS`` = millis …)."""
    try:
        parts = to_strftime_parts(_literal(a, 1, function, "format"))
    except FormatError as exc:
        raise SqlError(f"{function}: {exc}") from None
    kind = t(a[0].sql)
    value = a[0].sql if kind != "TIME" else f"(DATE '1970-01-01' + {a[0].sql})"
    pieces = []
    for part in parts:
        if isinstance(part, int):
            digits = f"strftime({value}, '%f')"
            pieces.append(f"left({digits}, {part})" if part <= 6 else f"rpad({digits}, {part}, '0')")
        else:
            pieces.append(f"strftime({value}, {quote_string(part)})")
    if len(pieces) == 1:
        return pieces[0]
    return f"CASE WHEN {value} IS NULL THEN NULL ELSE {' || '.join(pieces)} END"


def _formatdatetime(a: list[Arg], t: TypeOf) -> str:
    return _formatted(a, t, "FORMATDATETIME")


def _parsedatetime(a: list[Arg], t: TypeOf) -> str:
    pattern = _literal(a, 1, "PARSEDATETIME", "format")
    try:
        kind = parsed_kind(pattern)
    except FormatError as exc:
        raise SqlError(f"PARSEDATETIME: {exc}") from None
    return f"CAST(strptime({a[0].sql}, {_java_format(a, 1, 'PARSEDATETIME')}) AS {kind})"


def _is_date(a: list[Arg], t: TypeOf) -> str:
    return f"coalesce(try_strptime({a[0].sql}, {_java_format(a, 1, 'IS_DATE')}) IS NOT NULL, false)"


def java_zone(arg: Arg) -> str:
    """Java zone ids ``UTC+8`` / ``GMT-5`` as IANA ``Etc/GMT-8`` (whose sign is inverted)."""
    if arg.literal is None:
        return arg.sql
    match = re.fullmatch(r"\s*(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?00)?\s*", arg.literal, re.I)
    if match:
        sign = "-" if match.group(1) == "+" else "+"
        hours = int(match.group(2))
        return quote_string("UTC" if hours == 0 else f"Etc/GMT{sign}{hours}")
    return arg.sql


def _from_unixtime(a: list[Arg], t: TypeOf) -> str:
    stamp = f"to_timestamp(CAST({a[0].sql} AS DOUBLE))"
    local = f"timezone({java_zone(a[2])}, {stamp})" if len(a) > 2 else f"CAST({stamp} AS TIMESTAMP)"
    return f"strftime({local}, {_java_format(a, 1, 'FROM_UNIXTIME')})"


def _multi_if(a: list[Arg], t: TypeOf) -> str:
    if len(a) % 2 == 0:
        raise SqlError("MULTI_IF needs pairs of condition, value and a final else value (an odd number of arguments)")
    pairs = " ".join(f"WHEN {a[i].sql} THEN {a[i + 1].sql}" for i in range(0, len(a) - 1, 2))
    return f"CASE {pairs} ELSE {a[-1].sql} END"


def _array(a: list[Arg], t: TypeOf) -> str:
    kinds = {t(x.sql) for x in a if not x.is_null}
    numeric = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE"}
    if len(kinds) > 1 and not kinds <= numeric and not all(k.startswith("DECIMAL") or k in numeric for k in kinds):
        return f"list_value({', '.join(f'CAST({x.sql} AS VARCHAR)' for x in a)})"
    return f"list_value({', '.join(x.sql for x in a)})"


def _split(a: list[Arg], t: TypeOf) -> str:
    return f"st_split(CAST({a[0].sql} AS VARCHAR), {a[1].sql})"


def _substring(a: list[Arg], t: TypeOf) -> str:
    text = f"CAST({a[0].sql} AS VARCHAR)"
    return f"substring({text}, {', '.join(x.sql for x in a[1:])})"


def _replace(a: list[Arg], t: TypeOf) -> str:
    return f"replace({a[0].sql}, {a[1].sql}, {a[2].sql if len(a) > 2 else quote_string('')})"


def _extract_int(name: str) -> Callable[[list[Arg], TypeOf], str]:
    return lambda a, t: f"CAST({name}({a[0].sql}) AS INTEGER)"


FUNCTIONS: dict[str, FunctionSpec] = {}


def _add(family: str, names: str, min_args: int, max_args: int | None,
         build: Callable[[list[Arg], TypeOf], str]) -> None:
    for name in names.split():
        FUNCTIONS[name] = FunctionSpec(min_args, max_args, build, family)


# --- string -----------------------------------------------------------------------------
_add("string", "ASCII", 1, 1, _int("ascii"))
_add("string", "BIT_LENGTH", 1, 1, lambda a, t: f"({_octets(a, t)} * 8)")
_add("string", "CHAR_LENGTH LENGTH", 1, 1, lambda a, t: f"length(CAST({a[0].sql} AS VARCHAR))")
_add("string", "OCTET_LENGTH", 1, 1, _octets)
_add("string", "CHAR CHR", 1, 1, lambda a, t: f"chr(CAST({a[0].sql} AS INTEGER))")
_add("string", "CONCAT", 1, None, lambda a, t: f"concat({', '.join(x.sql for x in a)})")
_add("string", "CONCAT_WS", 2, None,
     lambda a, t: f"concat_ws(coalesce({a[0].sql}, ''), {', '.join(x.sql for x in a[1:])})")
_add("string", "HEXTORAW", 1, 1, lambda a, t: f"st_hextoraw({a[0].sql})")
_add("string", "RAWTOHEX", 1, 1, _rawtohex)
_add("string", "INSERT", 4, 4, lambda a, t: f"st_insert({', '.join(x.sql for x in a)})")
_add("string", "LOWER LCASE", 1, 1, lambda a, t: f"lower({a[0].sql})")
_add("string", "UPPER UCASE", 1, 1, lambda a, t: f"upper({a[0].sql})")
_add("string", "LEFT", 2, 2, _call("left"))
_add("string", "RIGHT", 2, 2, _call("right"))
_add("string", "LOCATE", 2, 3, lambda a, t: _locate(*(x.sql for x in a)))
_add("string", "INSTR", 2, 3, lambda a, t: _locate(a[1].sql, a[0].sql, *(x.sql for x in a[2:])))
_add("string", "POSITION", 2, 2, lambda a, t: _locate(a[0].sql, a[1].sql))
_add("string", "LPAD", 2, 3, _pad("lpad"))
_add("string", "RPAD", 2, 3, _pad("rpad"))
_add("string", "LTRIM", 1, 2, _trim("ltrim"))
_add("string", "RTRIM", 1, 2, _trim("rtrim"))
_add("string", "TRIM", 1, 2, _trim("trim"))
_add("string", "REGEXP_REPLACE", 3, 4, _regexp_replace)
_add("string", "REGEXP_LIKE", 2, 3, _regexp_like)
_add("string", "REGEXP_SUBSTR", 2, 6, _regexp_substr)
_add("string", "REPEAT", 2, 2, _call("repeat"))
_add("string", "REPLACE", 2, 3, _replace)
_add("string", "SPLIT", 2, 2, _split)
_add("string", "SOUNDEX", 1, 1, lambda a, t: f"st_soundex({a[0].sql})")
_add("string", "SPACE", 1, 1, lambda a, t: f"repeat(' ', CAST({a[0].sql} AS BIGINT))")
_add("string", "SUBSTRING SUBSTR", 2, 3, _substring)
_add("string", "TO_CHAR", 1, 2, _to_char)
_add("string", "TRANSLATE", 3, 3, _call("translate"))
_add("string", "MURMUR64", 1, 1, lambda a, t: f"st_murmur64(CAST({a[0].sql} AS VARCHAR))")

# --- numeric ----------------------------------------------------------------------------
for _name in ("ABS", "ACOS", "ASIN", "ATAN", "COS", "COSH", "COT", "SIN", "SINH", "TAN", "TANH", "EXP", "LN",
              "LOG10", "RADIANS", "SQRT"):
    _add("numeric", _name, 1, 1, _call(_name.lower()))
_add("numeric", "CEIL CEILING", 1, 1, _int("ceil"))
_add("numeric", "FLOOR", 1, 1, _int("floor"))
_add("numeric", "ATAN2", 2, 2, _call("atan2"))
_add("numeric", "DEGREES", 1, 1, _call("degrees"))
_add("numeric", "ARRAY_MAX", 1, 1, _call("list_max"))
_add("numeric", "ARRAY_MIN", 1, 1, _call("list_min"))
_add("numeric", "MOD", 2, 2, lambda a, t: f"(({a[0].sql}) % ({a[1].sql}))")
_add("numeric", "LOG", 1, 2, _log)
_add("numeric", "PI", 0, 0, lambda a, t: "pi()")
_add("numeric", "POWER", 2, 2, lambda a, t: f"pow(CAST({a[0].sql} AS DOUBLE), {a[1].sql})")
_add("numeric", "RAND RANDOM", 0, 1, lambda a, t: "random()")
_add("numeric", "ROUND", 1, 2, _call("round"))
_add("numeric", "SIGN", 1, 1, _int("sign"))
_add("numeric", "TRUNC TRUNCATE", 1, 2, _trunc)
_add("numeric", "TRIM_SCALE", 1, 1, lambda a, t: f"st_trim_scale(CAST({a[0].sql} AS VARCHAR))")

# --- date and time ----------------------------------------------------------------------
_add("datetime", "CURRENT_DATE", 0, 0, lambda a, t: "current_date")
_add("datetime", "CURRENT_TIME", 0, 0, lambda a, t: "CAST(localtimestamp AS TIME)")
_add("datetime", "CURRENT_TIMESTAMP NOW", 0, 0, lambda a, t: "localtimestamp")
_add("datetime", "DATEADD TIMESTAMPADD", 2, 3, _dateadd)
_add("datetime", "DATEDIFF", 2, 3, _datediff)
_add("datetime", "DATE_TRUNC", 1, 2, _date_trunc)
_add("datetime", "DAYNAME", 1, 1, _call("dayname"))
_add("datetime", "MONTHNAME", 1, 1, _call("monthname"))
_add("datetime", "DAY_OF_MONTH", 1, 1, _extract_int("dayofmonth"))
_add("datetime", "DAY_OF_WEEK", 1, 1, _extract_int("isodow"))
_add("datetime", "DAY_OF_YEAR", 1, 1, _extract_int("dayofyear"))
for _name in ("HOUR", "MINUTE", "MONTH", "QUARTER", "SECOND", "YEAR"):
    _add("datetime", _name, 1, 1, _extract_int(_name.lower()))
_add("datetime", "WEEK", 1, 1, lambda a, t: f"st_week({a[0].sql})")
_add("datetime", "FORMATDATETIME", 2, 2, _formatdatetime)
_add("datetime", "PARSEDATETIME TO_DATE", 2, 2, _parsedatetime)
_add("datetime", "IS_DATE", 2, 2, _is_date)
_add("datetime", "FROM_UNIXTIME", 2, 3, _from_unixtime)

# --- system -----------------------------------------------------------------------------
_add("system", "COALESCE", 1, None, _call("coalesce"))
_add("system", "IFNULL", 2, 2, _call("coalesce"))
_add("system", "NULLIF", 2, 2, _call("nullif"))
_add("system", "MULTI_IF", 3, None, _multi_if)
_add("system", "UUID", 0, 0, lambda a, t: "CAST(uuid() AS VARCHAR)")
_add("system", "ARRAY", 1, None, _array)


def _map(a: list[Arg], t: TypeOf) -> str:
    if len(a) % 2:
        raise SqlError("MAP needs key, value pairs (an even number of arguments)")
    keys = ", ".join(x.sql for x in a[0::2])
    values = ", ".join(x.sql for x in a[1::2])
    return f"map(list_value({keys}), list_value({values}))"


_add("system", "MAP", 2, None, _map)

# --- vector (arrays of numbers: SeaTunnel's float_vector travels as array<float>) ----------
def _vector_reduce(a: list[Arg], t: TypeOf) -> str:
    method = _literal(a, 2, "VECTOR_REDUCE", "method").strip().upper()
    if method != "TRUNCATE":
        raise SqlError(f"VECTOR_REDUCE: method {method!r} is not supported (only 'TRUNCATE'; the random "
                       "projections of SeaTunnel give different results on every run)")
    return f"st_vector_truncate({a[0].sql}, {a[1].sql})"


_add("vector", "VECTOR_DIMS", 1, 1, lambda a, t: f"CAST(len({a[0].sql}) AS INTEGER)")
_add("vector", "VECTOR_NORM", 1, 1, lambda a, t: f"st_vector_norm({a[0].sql})")
_add("vector", "INNER_PRODUCT", 2, 2, lambda a, t: f"st_inner_product({a[0].sql}, {a[1].sql})")
_add("vector", "COSINE_DISTANCE", 2, 2, lambda a, t: f"st_cosine_distance({a[0].sql}, {a[1].sql})")
_add("vector", "L1_DISTANCE", 2, 2, lambda a, t: f"st_l1_distance({a[0].sql}, {a[1].sql})")
_add("vector", "L2_DISTANCE", 2, 2, lambda a, t: f"st_l2_distance({a[0].sql}, {a[1].sql})")
_add("vector", "VECTOR_NORMALIZE", 1, 1, lambda a, t: f"st_vector_normalize({a[0].sql})")
_add("vector", "VECTOR_REDUCE", 3, 3, _vector_reduce)

KEYWORD_FUNCTIONS = {"CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP"}
"""Functions written without parentheses in SeaTunnel (``CURRENT_DATE``)."""

CAST_TYPES: dict[str, str] = {
    "STRING": "VARCHAR", "VARCHAR": "VARCHAR", "TEXT": "VARCHAR", "CHAR": "VARCHAR",
    "BOOLEAN": "BOOLEAN", "BOOL": "BOOLEAN",
    "BYTE": "TINYINT", "TINYINT": "TINYINT", "SHORT": "SMALLINT", "SMALLINT": "SMALLINT",
    "INT": "INTEGER", "INTEGER": "INTEGER", "LONG": "BIGINT", "BIGINT": "BIGINT",
    "FLOAT": "FLOAT", "REAL": "FLOAT", "DOUBLE": "DOUBLE",
    "DECIMAL": "DECIMAL", "NUMERIC": "DECIMAL",
    "TIMESTAMP": "TIMESTAMP", "DATETIME": "TIMESTAMP", "DATE": "DATE", "TIME": "TIME",
    "TIMESTAMP_TZ": "TIMESTAMPTZ",
    "BYTES": "BLOB", "BINARY": "BLOB", "BLOB": "BLOB",
}
"""SeaTunnel's CAST type names (and a few SQL synonyms) as DuckDB types."""

