"""Vectorised generation of fake columns (numpy, no per-row Python)."""

from __future__ import annotations

import string as _string
from typing import Any

import numpy as np
import pyarrow as pa

from .options import FakeMode, FakeSourceOptions

_LETTERS = np.frombuffer((_string.ascii_letters).encode(), dtype=np.uint8)
_EPOCH_DAY_MIN = -3653  # 1960-01-01
_EPOCH_DAY_SPAN = 36524  # ~100 years


class ColumnGenerator:
    """Generates columns of any Arrow type for FakeSource, from one random generator."""

    def __init__(self, options: FakeSourceOptions, rng: np.random.Generator) -> None:
        self.o = options
        self.rng = rng

    # --- scalars ----------------------------------------------------------------
    def _choice(self, template: list[Any], n: int, dtype: pa.DataType) -> pa.Array:
        values = pa.array(template, type=dtype)
        return values.take(pa.array(self.rng.integers(0, len(template), n)))

    def _integers(self, name: str, n: int, dtype: pa.DataType) -> pa.Array:
        o = self.o
        if getattr(o, f"{name}_fake_mode") == FakeMode.TEMPLATE:
            return self._choice(getattr(o, f"{name}_template"), n, dtype)
        low, high = getattr(o, f"{name}_min"), getattr(o, f"{name}_max")
        np_type = {8: np.int8, 16: np.int16, 32: np.int32, 64: np.int64}[dtype.bit_width]
        return pa.array(self.rng.integers(low, high, n, dtype=np.int64, endpoint=True).astype(np_type))

    def _floats(self, name: str, n: int, dtype: pa.DataType) -> pa.Array:
        o = self.o
        if getattr(o, f"{name}_fake_mode") == FakeMode.TEMPLATE:
            return self._choice(getattr(o, f"{name}_template"), n, dtype)
        low, high = getattr(o, f"{name}_min"), getattr(o, f"{name}_max")
        # uniform over huge ranges overflows: draw in [0,1) and scale in float64
        values = (
            low + self.rng.random(n) * (high - low)
            if np.isfinite(high - low)
            else self.rng.random(n) * high + (1 - self.rng.random(n)) * low
        )
        np_type = np.float32 if dtype == pa.float32() else np.float64
        return pa.array(values.astype(np_type))

    def _strings(self, n: int, length: int, binary: bool = False) -> pa.Array:
        if not binary and self.o.string_fake_mode == FakeMode.TEMPLATE:
            return self._choice(self.o.string_template or [], n, pa.string())
        if binary:
            raw = self.rng.integers(0, 256, n * length, dtype=np.uint8)
        else:
            raw = _LETTERS[self.rng.integers(0, len(_LETTERS), n * length)]
        offsets = pa.array(np.arange(0, (n + 1) * length, length, dtype=np.int32))
        data = pa.py_buffer(raw.tobytes())
        return pa.Array.from_buffers(pa.binary() if binary else pa.string(), n, [None, offsets.buffers()[1], data])

    def _days(self, n: int) -> np.ndarray:
        o = self.o
        if o.date_year_template or o.date_month_template or o.date_day_template:
            years = self.rng.choice(o.date_year_template or list(range(1970, 2031)), n)
            months = self.rng.choice(o.date_month_template or list(range(1, 13)), n)
            days = self.rng.choice(o.date_day_template or list(range(1, 29)), n)
            ym = (np.asarray(years) - 1970) * 12 + (np.asarray(months) - 1)
            start = ym.astype("datetime64[M]").astype("datetime64[D]")
            return (start + (np.asarray(days) - 1)).astype(np.int64)
        return self.rng.integers(_EPOCH_DAY_MIN, _EPOCH_DAY_MIN + _EPOCH_DAY_SPAN, n)

    def _micros_of_day(self, n: int) -> np.ndarray:
        o = self.o
        if o.time_hour_template or o.time_minute_template or o.time_second_template:
            h = self.rng.choice(o.time_hour_template or list(range(24)), n)
            m = self.rng.choice(o.time_minute_template or list(range(60)), n)
            s = self.rng.choice(o.time_second_template or list(range(60)), n)
            return ((np.asarray(h) * 60 + np.asarray(m)) * 60 + np.asarray(s)).astype(np.int64) * 1_000_000
        return self.rng.integers(0, 86_400, n).astype(np.int64) * 1_000_000

    def _decimals(self, dtype: pa.DataType, n: int) -> pa.Array:
        # unscaled non-negative values < 10**min(precision, 18), laid out as Arrow's
        # little-endian two's-complement words (high words zero)
        digits = min(dtype.precision, 18)
        unscaled = self.rng.integers(0, 10**digits, n, dtype=np.int64)
        words = dtype.byte_width // 8
        raw = np.zeros((n, words), dtype=np.int64)
        raw[:, 0] = unscaled
        return pa.Array.from_buffers(dtype, n, [None, pa.py_buffer(raw.tobytes())])

    # --- any type ---------------------------------------------------------------
    def column(self, dtype: pa.DataType, n: int) -> pa.Array:
        """``n`` random values of ``dtype``."""
        t = pa.types
        if t.is_null(dtype):
            return pa.nulls(n)
        if t.is_boolean(dtype):
            return pa.array(self.rng.integers(0, 2, n).astype(bool))
        if t.is_integer(dtype):
            name = {8: "tinyint", 16: "smallint", 32: "int", 64: "bigint"}[dtype.bit_width]
            return self._integers(name, n, dtype)
        if t.is_floating(dtype):
            return self._floats("float" if dtype == pa.float32() else "double", n, dtype)
        if t.is_decimal(dtype):
            return self._decimals(dtype, n)
        if t.is_string(dtype) or t.is_large_string(dtype):
            return self._strings(n, self.o.string_length).cast(dtype)
        if t.is_binary(dtype) or t.is_large_binary(dtype):
            return self._strings(n, self.o.bytes_length, binary=True).cast(dtype)
        if t.is_date(dtype):
            return pa.array(self._days(n).astype(np.int32), pa.int32()).cast(dtype)
        if t.is_time(dtype):
            return pa.array(self._micros_of_day(n), pa.int64()).cast(pa.time64("us")).cast(dtype)
        if t.is_timestamp(dtype):
            micros = self._days(n) * 86_400_000_000 + self._micros_of_day(n)
            return pa.array(micros, pa.int64()).cast(pa.timestamp("us", tz=dtype.tz)).cast(dtype)
        if t.is_list(dtype) or t.is_large_list(dtype):
            size = self.o.array_size
            offsets = pa.array(np.arange(0, (n + 1) * size, size, dtype=np.int32))
            return pa.ListArray.from_arrays(offsets, self.column(dtype.value_type, n * size))
        if t.is_map(dtype):
            size = self.o.map_size
            offsets = pa.array(np.arange(0, (n + 1) * size, size, dtype=np.int32))
            keys = self.column(dtype.key_type, n * size)
            return pa.MapArray.from_arrays(offsets, keys, self.column(dtype.item_type, n * size))
        if t.is_struct(dtype):
            return pa.StructArray.from_arrays([self.column(f.type, n) for f in dtype], fields=list(dtype))
        raise TypeError(f"FakeSource cannot generate {dtype}")

    def batch(self, schema: pa.Schema, n: int, first_row: int) -> pa.RecordBatch:
        """A batch of ``n`` rows; ``first_row`` numbers rows for auto-increment."""
        columns = []
        auto_done = False
        for fld in schema:
            if self.o.auto_increment_enabled and not auto_done and pa.types.is_integer(fld.type):
                start = self.o.auto_increment_start + first_row
                columns.append(pa.array(np.arange(start, start + n, dtype=np.int64)).cast(fld.type))
                auto_done = True
            else:
                columns.append(self.column(fld.type, n))
        return pa.RecordBatch.from_arrays(columns, schema=schema)
