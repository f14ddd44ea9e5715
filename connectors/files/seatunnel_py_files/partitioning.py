"""Splitting a batch by partition values, vectorised, and naming partition directories."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .convert import TemporalFormats, to_strings
from .listing import escape_value, partition_segment
from .options import DEFAULT_PARTITION_EXPRESSION

NULL_PARTITION = "null"
"""Directory value of a null partition field (SeaTunnel writes ``String.valueOf(null)``)."""


def partition_values(column: pa.Array, name: str) -> pa.Array:
    """The text of each partition value (ISO for temporal types, ``null`` for nulls)."""
    return to_strings(column, TemporalFormats(), column=name).fill_null(NULL_PARTITION)


def group_by_partition(batch: pa.RecordBatch, keys: list[str]
                       ) -> list[tuple[tuple[str, ...], pa.RecordBatch]]:
    """The rows of ``batch`` grouped by the values of ``keys``, one sub-batch per group.

    Each key column is dictionary-encoded; the codes are combined (and re-numbered with
    ``numpy.unique`` after each key so they stay small) and one stable ``argsort`` plus one
    ``take`` reorders the batch so that every group is a contiguous slice.
    """
    if not keys or batch.num_rows == 0:
        return [((), batch)]
    codes = np.zeros(batch.num_rows, dtype=np.int64)
    encoded: list[tuple[pa.Array, np.ndarray]] = []
    for key in keys:
        dictionary_array = pc.dictionary_encode(partition_values(batch.column(key), key))
        indices = dictionary_array.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        codes = codes * len(dictionary_array.dictionary) + indices
        codes = np.unique(codes, return_inverse=True)[1].reshape(-1)
        encoded.append((dictionary_array.dictionary, indices))

    def values_at(row: int) -> tuple[str, ...]:
        return tuple(str(dictionary[int(indices[row])].as_py()) for dictionary, indices in encoded)

    if int(codes.max()) == 0:
        return [(values_at(0), batch)]
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    starts = [0, *bounds.tolist()]
    ends = [*bounds.tolist(), batch.num_rows]
    ordered = batch.take(pa.array(order))
    return [(values_at(int(order[s])), ordered.slice(s, e - s)) for s, e in zip(starts, ends, strict=True)]


def partition_dir(expression: str, keys: list[str], values: tuple[str, ...]) -> str:
    """The relative directory of one group: ``k0=v0/k1=v1`` or the custom expression."""
    if expression.strip() == DEFAULT_PARTITION_EXPRESSION:
        return "/".join(partition_segment(k, v) for k, v in zip(keys, values, strict=True))
    out = expression
    for i, (key, value) in enumerate(zip(keys, values, strict=True)):
        out = out.replace(f"${{k{i}}}", key).replace(f"${{v{i}}}", escape_value(value))
    return "/".join(part for part in out.split("/") if part and part not in (".", ".."))
