"""Built-in transforms, vectorised on Arrow."""

from __future__ import annotations

from ...api.transform import Transform

TRANSFORMS: list[type[Transform]] = []
