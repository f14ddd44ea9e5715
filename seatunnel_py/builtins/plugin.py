"""Registers the built-in plugins, through the same entry point as any plugin package.

Every plugin is registered by name and ``"module:Class"``: a job imports only the
modules of the plugins it uses.
"""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..registry import PluginRegistrar

_PACKAGE = "seatunnel_py.builtins"
TRANSFORMS: dict[str, str] = {
    "Copy": "copy:CopyTransform",
    "FieldMapper": "field_mapper:FieldMapperTransform",
    "FieldRename": "field_rename:FieldRenameTransform",
    "Filter": "filter:FilterTransform",
    "FilterRowKind": "filter_row_kind:FilterRowKindTransform",
    "Replace": "replace:ReplaceTransform",
    "Split": "split:SplitTransform",
    "JsonPath": "json_path:JsonPathTransform",
    "Metadata": "metadata:MetadataTransform",
    "RowKindExtractor": "row_kind_extractor:RowKindExtractorTransform",
    "RegexExtract": "regex_extract:RegexExtractTransform",
}
"""Transform name → ``module:Class`` under ``seatunnel_py.builtins.transforms``."""


@hookimpl
def seatunnel_py_register(registry: PluginRegistrar) -> None:
    """Register FakeSource, Console, Assert and the core transforms."""
    registry.add_source(f"{_PACKAGE}.fake.source:FakeSource", name="FakeSource")
    registry.add_sink(f"{_PACKAGE}.console:ConsoleSink", name="Console")
    registry.add_sink(f"{_PACKAGE}.assertion.sink:AssertSink", name="Assert")
    for name, target in TRANSFORMS.items():
        registry.add_transform(f"{_PACKAGE}.transforms.{target}", name=name)
