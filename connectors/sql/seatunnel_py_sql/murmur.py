"""MURMUR64: MurmurHash3 x64 128-bit (seed 0) of the UTF-8 text, first 64 bits as a signed long.

That is Guava's ``Hashing.murmur3_128().hashString(s, UTF_8).asLong()``. The hash runs in
Python once per distinct value of the vector DuckDB hands over (not vectorised: use it
on key columns, not on a hot path of wide text).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

_M = (1 << 64) - 1
_C1 = 0x87C37B91114253D5
_C2 = 0x4CF5AD432745937F


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _M


def _fmix(k: int) -> int:
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & _M
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & _M
    k ^= k >> 33
    return k


def hash64(data: bytes) -> int:
    """The first 64 bits of MurmurHash3 x64 128 of ``data`` (seed 0), as a signed integer."""
    h1 = h2 = 0
    length = len(data)
    blocks = length // 16
    for i in range(blocks):
        k1 = int.from_bytes(data[i * 16:i * 16 + 8], "little")
        k2 = int.from_bytes(data[i * 16 + 8:i * 16 + 16], "little")
        k1 = (_rotl((k1 * _C1) & _M, 31) * _C2) & _M
        h1 ^= k1
        h1 = (_rotl(h1, 27) + h2) & _M
        h1 = (h1 * 5 + 0x52DCE729) & _M
        k2 = (_rotl((k2 * _C2) & _M, 33) * _C1) & _M
        h2 ^= k2
        h2 = (_rotl(h2, 31) + h1) & _M
        h2 = (h2 * 5 + 0x38495AB5) & _M
    tail = data[blocks * 16:]
    if len(tail) > 8:
        k2 = int.from_bytes(tail[8:], "little")
        k2 = (_rotl((k2 * _C2) & _M, 33) * _C1) & _M
        h2 ^= k2
    if tail:
        k1 = int.from_bytes(tail[:8], "little")
        k1 = (_rotl((k1 * _C1) & _M, 31) * _C2) & _M
        h1 ^= k1
    h1 ^= length
    h2 ^= length
    h1 = (h1 + h2) & _M
    h2 = (h2 + h1) & _M
    h1 = _fmix(h1)
    h2 = _fmix(h2)
    h1 = (h1 + h2) & _M
    return h1 - (1 << 64) if h1 >= 1 << 63 else h1


def murmur64(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """MURMUR64 over a vector of strings (nulls stay null)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values)
    dictionary = encoded.dictionary.to_pylist()
    hashes = pa.array([hash64(v.encode("utf-8")) for v in dictionary], pa.int64())
    return pc.take(hashes, encoded.indices)
