"""The HOCON that job files are read with (seatunnel_py/config/hocon.py), value by value."""

from __future__ import annotations

from typing import Any

import pytest

from seatunnel_py.config.issues import ConfigErrors
from seatunnel_py.config.lexer import TOKEN, token_chunks
from seatunnel_py.config.loader import load_text

ENV = {"HOME": "/h", "LIST": "[x, y]", "NUM": "42", "WORDS": "hello world"}


def value(text: str) -> Any:
    return load_text(text, "job.conf", environ=ENV).data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the same as the pyhocon-based reader gave
        ("a = foo bar", {"a": "foo bar"}),
        ('a = "x" "y"', {"a": "x y"}),
        ("a = 1.0\nb = 1e5\nc = -3\nd = +3\ne = .5\nf = 007", {"a": 1.0, "b": 1e5, "c": -3, "d": 3, "e": 0.5, "f": 7}),
        ("a = TRUE\nb = False\nc = NULL\nd = yes", {"a": True, "b": False, "c": None, "d": "yes"}),
        ("a = 1.2.3\nb = 12:30", {"a": "1.2.3", "b": "12:30"}),
        ("a = jdbc:postgresql://h:5432/db\nb = foo // c\nc = foo # c", {
            "a": "jdbc:postgresql://h:5432/db", "b": "foo", "c": "foo"}),
        ("a = [1,2] [3]\nb = {x=1} {y=2}", {"a": [1, 2, 3], "b": {"x": 1, "y": 2}}),
        ("a {x=1}\na {y=2}\nb {x=1}\nb = 5", {"a": {"x": 1, "y": 2}, "b": 5}),
        ("a = [1,,2,]\nb = [\n1\n2\n]", {"a": [1, 2], "b": [1, 2]}),
        ("a = [ {x=1} {x=2} ]\nb = [ [1] [2] ]", {"a": [{"x": 1}, {"x": 2}], "b": [[1, 2]]}),
        ('a:1\n"b.c" = 2\nd.e = 3\nf { g.h = 4 }', {"a": 1, "b.c": 2, "d.e": 3, "f": {"g.h": 4}}),
        ('a = """x"y"""\nb = """"q""""', {"a": 'x"y', "b": '"q"'}),
        ("a =\n  5\nb\n{ c = 1 }", {"a": 5, "b": {"c": 1}}),
        ("# c\n{ a = 1 }\n// d\n", {"a": 1}),
        ("a = 1,, b = 2", {"a": 1, "b": 2}),
        ("a = ${?NOPE}\nb = x${?NOPE}y\nc = [1, ${?NOPE}, 2]", {"b": "xy", "c": [1, 2]}),
        ('a = ${HOME}\nb = "${HOME}/x"\nc = ${HOME}/x', {"a": "/h", "b": "/h/x", "c": "/h/x"}),
        ('a = ${LIST}\nb = ${NUM}\nc = "${NUM}"\nd = ${WORDS}\ne = ${NUM}px', {
            "a": ["x", "y"], "b": 42, "c": "42", "d": "hello world", "e": "42px"}),
        ("a = foo-bar_baz\nb = it's\nc = é\né = 1\nd-e = 1", {
            "a": "foo-bar_baz", "b": "it's", "c": "é", "é": 1, "d-e": 1}),
        ("a = {}\nb = []\nc = \"\"\nd { }\ne {} f {}", {"a": {}, "b": [], "c": "", "d": {}, "e": {}, "f": {}}),
        ("a = [ # c\n 1 # d\n]\nb = [1 // x\n, 2]", {"a": [1], "b": [1, 2]}),
        ("a = 1\r\nb = 2\r\n", {"a": 1, "b": 2}),
        ('a = "q\\"q"\nb = "\\\\"\nc = "x\\=y"', {"a": 'q"q', "b": "\\", "c": "x=y"}),
        # where the pyhocon-based reader was wrong
        ('a = "tab\there"', {"a": "tab\there"}),  # tabs were expanded to spaces
        ('a = "\\u0041\\/"', {"a": "A/"}),  # JSON escapes were kept as written
        ("a += 1\nb = [1]\nb += 2", {"a": [1], "b": [1, 2]}),  # += replaced the array
        ("a = 10s\nb = 10 seconds", {"a": "10s", "b": "10 seconds"}),  # durations became relativedelta objects
        ("a = true false\nb = \t5\t", {"a": "true false", "b": 5}),  # 'TrueFalse', '5'
        ("\ufeffa = 1", {"a": 1}),  # a byte-order mark was a syntax error
        ("a = 5\na { y = 2 }", {"a": {"y": 2}}),  # an object after a number was an error
    ],
)
def test_values(text: str, expected: dict[str, Any]) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "blocks", "names"),
    [
        ("source { A { x = 1 } B = { y = 2 } }", {"source": [{"x": 1}, {"y": 2}]}, ["A", "B"]),
        ("source = { A { x = 1 } }", {"source": [{"x": 1}]}, ["A"]),
        ("source {\n  A {\n  }\n  A {}\n}", {"source": [{}, {}]}, ["A", "A"]),
        ("source { A {}, B {} }\nsink { C {} }", {"source": [{}, {}], "sink": [{}]}, ["A", "B", "C"]),
        ("source { A {} } sink { C {} }", {"source": [{}], "sink": [{}]}, ["A", "C"]),
        ('"source" { A {} }', {"source": [{}]}, ["A"]),
        ("env { source { A { } } }", {"env": {"source": {"A": {}}}}, []),
        ("source = [ { plugin_name = A } ]", {"source": [{"plugin_name": "A"}]}, []),
    ],
)
def test_plugin_blocks(text: str, blocks: dict[str, Any], names: list[str]) -> None:
    raw = load_text(text, "job.conf")
    assert raw.data == blocks
    order = ["source", "transform", "sink"]
    assert [raw.plugin_names[k] for k in sorted(raw.plugin_names, key=lambda k: (order.index(k[0]), k[1]))] == names


def test_lines_of_keys_elements_and_containers_written_on_one_line() -> None:
    raw = load_text(
        "source {\n  FakeSource {\n    rows = [\n      { kind = INSERT, fields = [1, \"a\"] }\n"
        "      {\n        kind = DELETE\n        fields = [\n          2,\n          \"b\"\n        ]\n      }\n"
        "    ]\n  }\n}\n",
        "job.conf",
    )
    assert raw.line_of(("source", 0, "rows", 0, "fields", 1)) == 4
    assert raw.line_of(("source", 0, "rows", 1)) == 5
    assert raw.line_of(("source", 0, "rows", 1, "kind")) == 6
    assert raw.line_of(("source", 0, "rows", 1, "fields", 1)) == 9
    assert raw.line_of(("source", 0, "rows", 7)) == 3
    assert raw.line_of(("nope",)) is None


def test_a_repeated_key_takes_the_line_of_its_last_value() -> None:
    raw = load_text("env {\n  parallelism = 1\n  parallelism = 2\n}\nenv { job.name = x }\n", "job.conf")
    assert raw.data["env"] == {"parallelism": 2, "job.name": "x"}
    assert raw.line_of(("env", "parallelism")) == 3
    assert raw.line_of(("env", "job.name")) == 5


@pytest.mark.parametrize("chunk", [1, 7, 30, 1 << 20])
def test_reading_in_chunks_gives_the_same_tokens(chunk: int) -> None:
    text = (
        'env {\n  a = """one\n  two\n  three"""\n  b = "x"  # c\n}\n'
        + "".join(f"k{i} = [{i}, \"v\"]\n" for i in range(20))
        + 'c = """never\nclosed'
    )
    assert [t for part in token_chunks(text, chunk) for t in part] == TOKEN.findall(text)


def test_a_raw_string_across_chunks_keeps_its_lines() -> None:
    """The text is read in chunks of 1 MB: this raw string runs across the first boundary."""
    text = "a = 1\n" + 'b = """' + "x\n" * 600_000 + '"""\n' + "c = [\n" + "1\n" * 1000 + "]\nd = {\n"
    with pytest.raises(ConfigErrors) as info:
        load_text(text, "job.conf")
    assert [i.render() for i in info.value.issues] == [
        "job.conf:601005: d: syntax error: the '{' opened here is never closed (expected '}' before the end of the file)"
    ]
