"""``include`` in job files, resolved against the folder of the file that includes.

``include "common.conf"`` in ``/jobs/nightly.conf`` reads ``/jobs/common.conf`` whatever
the working directory (pyhocon resolved it against the working directory, so one job
read different files when started from different folders); a file included from
``/jobs/parts/a.conf`` resolves its own includes against ``/jobs/parts``. The included
object is merged where the ``include`` stands, as HOCON says: keys written after it
override it. A missing file is skipped with a warning, as HOCON skips it, unless the
include is ``required(…)``; ``url(…)`` and ``classpath(…)`` are refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .issues import ConfigIssue
from .lexer import quoted_value
from .lines import LineNode, in_file

if TYPE_CHECKING:
    from .hocon import Parser

MAX_INCLUDE_DEPTH = 16
_SPEC = re.compile(r'(?P<req>required\()?(?:(?P<kind>[A-Za-z]+)\()?(?P<name>"(?:[^"\\]|\\.)*")(?P<close>\)*)')
_FORMS = 'include "file.conf", include file("…") or include required("…")'


def read_include(
    parser: Parser, spec: str, line: int, path: tuple[str | int, ...], *, at_root: bool
) -> tuple[dict[str, Any] | None, LineNode | None]:
    """Parse the file ``include <spec>`` names; ``(None, None)`` when an optional file is missing."""
    from .hocon import Parser  # parsing an included file is parsing

    match = _SPEC.fullmatch(spec)
    opened = bool(match and match.group("req")) + bool(match and match.group("kind"))
    if not match or len(match.group("close")) != opened:
        raise parser.fail(f"bad include {('include ' + spec).strip()!r} (expected {_FORMS})", path or None, line)
    kind = match.group("kind")
    if kind and kind.lower() != "file":
        raise parser.fail(f"include {kind}(…) is not supported (expected {_FORMS})", path or None, line)
    name = quoted_value(match.group("name"))
    required = bool(match.group("req"))
    target = Path(name) if Path(name).is_absolute() else Path(parser.file).parent / name
    shown = str(target)
    findings = parser.findings
    resolved = target.resolve()
    if resolved in findings.including:
        chain = " -> ".join(str(p) for p in [*findings.including[findings.including.index(resolved):], resolved])
        raise parser.fail(f"include cycle: {chain} (expected each file to be included once on a path)",
                          path or None, line)
    if len(findings.including) > MAX_INCLUDE_DEPTH:
        raise parser.fail(f"includes nested more than {MAX_INCLUDE_DEPTH} files deep", path or None, line)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise parser.fail(f"the included file {shown} does not exist (expected it next to {parser.file})",
                              path or None, line) from None
        findings.warnings.append(ConfigIssue(
            parser.file, line, "",
            f"include {name!r}: {shown} does not exist; skipped (write include required(\"{name}\") to make a "
            "missing file an error)"))
        return None, None
    except OSError as exc:
        raise parser.fail(f"cannot read the included file {shown}: {exc.strerror}", path or None, line) from None
    except UnicodeDecodeError:
        raise parser.fail(f"the included file {shown} is not UTF-8 text", path or None, line) from None
    findings.including.append(resolved)
    try:
        child = Parser(text, shown, parser.resolve, findings, plugins_at_root=at_root and parser.plugins_at_root,
                       base_path=path, depth=parser.depth + len(parser.stack), substitute=parser.substitute,
                       parent=parser)
        data, node = child.parse()
    finally:
        findings.including.pop()
    in_file(node, shown)
    return data, node
