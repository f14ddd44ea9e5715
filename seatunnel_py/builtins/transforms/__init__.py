"""Built-in transforms, vectorised on Arrow."""

from __future__ import annotations

from ...api.transform import Transform
from .copy import CopyTransform
from .field_mapper import FieldMapperTransform
from .field_rename import FieldRenameTransform
from .filter import FilterTransform
from .filter_row_kind import FilterRowKindTransform
from .json_path import JsonPathTransform
from .metadata import MetadataTransform
from .regex_extract import RegexExtractTransform
from .replace import ReplaceTransform
from .row_kind_extractor import RowKindExtractorTransform
from .split import SplitTransform

TRANSFORMS: list[type[Transform]] = [
    CopyTransform,
    FieldMapperTransform,
    FieldRenameTransform,
    FilterTransform,
    FilterRowKindTransform,
    ReplaceTransform,
    SplitTransform,
    JsonPathTransform,
    MetadataTransform,
    RowKindExtractorTransform,
    RegexExtractTransform,
]
