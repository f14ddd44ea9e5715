"""SeaTunnel's save modes: what a sink does with its target before the first write.

Sinks apply them once, in ``Sink.prepare``, and only on a fresh start
(``context.restored_checkpoint_id is None``): a resumed run must not drop what earlier
checkpoints committed (SeaTunnel skips the data save mode on restore too). A sink that
supports only some modes refuses the others in its option model.
"""

from __future__ import annotations

from .options import OptionEnum


class SchemaSaveMode(OptionEnum):
    """``schema_save_mode``: what the sink does with the target table (or directory) before writing."""

    RECREATE_SCHEMA = "RECREATE_SCHEMA"
    CREATE_SCHEMA_WHEN_NOT_EXIST = "CREATE_SCHEMA_WHEN_NOT_EXIST"
    ERROR_WHEN_SCHEMA_NOT_EXIST = "ERROR_WHEN_SCHEMA_NOT_EXIST"
    IGNORE = "IGNORE"


class DataSaveMode(OptionEnum):
    """``data_save_mode``: what the sink does with data already in the target."""

    DROP_DATA = "DROP_DATA"
    APPEND_DATA = "APPEND_DATA"
    CUSTOM_PROCESSING = "CUSTOM_PROCESSING"
    ERROR_WHEN_DATA_EXISTS = "ERROR_WHEN_DATA_EXISTS"
