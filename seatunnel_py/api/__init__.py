"""The connector API: everything a plugin author imports."""

from .capabilities import Capability
from .context import JobMode, PluginContext, RowCounters
from .errors import (
    ConnectorError,
    DataError,
    OptionError,
    PlanError,
    RuleViolation,
    SeaTunnelError,
    TransientError,
)
from .options import NoOptions, OptionEnum, PluginOptions, option
from .plugin import Plugin
from .rowkind import (
    ROW_KIND_COLUMN,
    TABLE_ID_KEY,
    RowKind,
    attach_row_kinds,
    has_row_kinds,
    row_kinds_or_insert,
    split_row_kinds,
    table_id,
    with_table_id,
)
from .savemode import DataSaveMode, SchemaSaveMode
from .sink import CommitInfo, Committer, Sink, SinkWriter
from .source import Source, Split, SplitReader, State
from .transform import ColumnTransform, Transform

__all__ = [
    "ROW_KIND_COLUMN",
    "TABLE_ID_KEY",
    "Capability",
    "ColumnTransform",
    "CommitInfo",
    "Committer",
    "ConnectorError",
    "DataError",
    "DataSaveMode",
    "JobMode",
    "NoOptions",
    "OptionEnum",
    "OptionError",
    "PlanError",
    "Plugin",
    "PluginContext",
    "PluginOptions",
    "RowCounters",
    "RowKind",
    "RuleViolation",
    "SchemaSaveMode",
    "SeaTunnelError",
    "Sink",
    "SinkWriter",
    "Source",
    "Split",
    "SplitReader",
    "State",
    "Transform",
    "TransientError",
    "attach_row_kinds",
    "has_row_kinds",
    "option",
    "row_kinds_or_insert",
    "split_row_kinds",
    "table_id",
    "with_table_id",
]
