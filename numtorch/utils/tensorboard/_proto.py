"""Hand-written encoding of the few protocol buffer messages TensorBoard event files hold,
and the TFRecord framing those files use.

Only the encoder side lives here: numtorch never needs to read event files. Field numbers
come from tensorboard's event.proto, summary.proto, tensor.proto and the hparams plugin's
api.proto / plugin_data.proto. Fields follow proto3 rules: a scalar equal to its default is
left out, except members of a ``oneof`` (and sub-messages), which are written whenever set.
"""
from __future__ import annotations

import struct

import numpy as np

__all__ = ["masked_crc32c", "crc32c", "frame_record"]

# Wire types.
_VARINT = 0
_I64 = 1
_LEN = 2
_I32 = 5


def varint(n: int) -> bytes:
    """Base-128 varint; negative numbers are written as their 64-bit two's complement."""
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return varint((field << 3) | wire)


def f_varint(field: int, value: int, always: bool = False) -> bytes:
    """An int32/int64/enum/bool field (left out when 0 unless ``always``)."""
    value = int(value)
    if value == 0 and not always:
        return b""
    return _key(field, _VARINT) + varint(value)


def f_double(field: int, value: float, always: bool = False) -> bytes:
    """A double field; proto3 leaves it out only when its bits are all zero (so -0.0 stays)."""
    raw = struct.pack("<d", float(value))
    if not always and raw == b"\x00" * 8:
        return b""
    return _key(field, _I64) + raw


def f_float(field: int, value: float, always: bool = False) -> bytes:
    """A float field (stored as IEEE single precision)."""
    raw = struct.pack("<f", float(value))
    if not always and raw == b"\x00" * 4:
        return b""
    return _key(field, _I32) + raw


def f_bytes(field: int, value: bytes, always: bool = False) -> bytes:
    """A string/bytes/sub-message field; ``always`` for set sub-messages and oneof members."""
    if not value and not always:
        return b""
    return _key(field, _LEN) + varint(len(value)) + value


def f_str(field: int, value: str, always: bool = False) -> bytes:
    return f_bytes(field, value.encode("utf-8"), always)


def f_packed_double(field: int, values) -> bytes:
    """A packed ``repeated double`` field."""
    arr = np.ascontiguousarray(values, dtype="<f8")
    if arr.size == 0:
        return b""
    return f_bytes(field, arr.tobytes())


def f_packed_float(field: int, values) -> bytes:
    arr = np.ascontiguousarray(values, dtype="<f4")
    if arr.size == 0:
        return b""
    return f_bytes(field, arr.tobytes())


def f_packed_varint(field: int, values) -> bytes:
    if len(values) == 0:
        return b""
    return f_bytes(field, b"".join(varint(int(v)) for v in values))


# CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, as TFRecord framing requires.
def _make_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _make_table()


_TABLE_NP = np.array(_TABLE, dtype=np.uint32)
_shift_tables: dict[int, list[list[int]]] = {}


def _raw_crc(data: bytes, crc: int) -> int:
    # The bare CRC register update (no pre- or post-inversion).
    table = _TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def _lane_shift_tables(lane: int) -> list[list[int]]:
    """4 x 256 tables of the linear map "run the register over ``lane`` zero bytes", one
    table per byte of the 32-bit state (cached per lane length)."""
    tables = _shift_tables.get(lane)
    if tables is None:
        basis = np.uint32(1) << np.arange(32, dtype=np.uint32)
        for _ in range(lane):
            basis = _TABLE_NP[basis & 0xFF] ^ (basis >> 8)
        bits = ((np.arange(256)[:, None] >> np.arange(8)) & 1).astype(bool)  # (256, 8)
        tables = [np.bitwise_xor.reduce(np.where(bits, basis[8 * k:8 * k + 8], np.uint32(0)),
                                        axis=1).tolist() for k in range(4)]
        _shift_tables[lane] = tables
    return tables


def crc32c(data: bytes) -> int:
    """CRC-32C of ``data``."""
    n = len(data)
    if n < 4096:
        return _raw_crc(data, 0xFFFFFFFF) ^ 0xFFFFFFFF
    # NOTE: the register update is linear over GF(2): crc(A + B, s) equals
    # shift_len(B)(s) ^ crc(B, 0). So the data is cut into lanes whose CRCs (from 0) NumPy
    # computes side by side, then chained. Lane length ~ sqrt(n / 2) balances the NumPy
    # steps (one per lane byte) against the Python chaining (one per lane).
    lane = 1 << min(10, max(6, round(np.log2(np.sqrt(n / 2)))))
    n_lanes = n // lane
    lanes = np.frombuffer(data, np.uint8, n_lanes * lane).reshape(n_lanes, lane)
    regs = np.zeros(n_lanes, np.uint32)
    for j in range(lane):
        regs = _TABLE_NP[(regs ^ lanes[:, j]) & 0xFF] ^ (regs >> 8)
    t0, t1, t2, t3 = _lane_shift_tables(lane)
    crc = 0xFFFFFFFF
    for r in regs.tolist():
        crc = (t0[crc & 0xFF] ^ t1[(crc >> 8) & 0xFF] ^ t2[(crc >> 16) & 0xFF]
               ^ t3[crc >> 24] ^ r)
    return _raw_crc(data[n_lanes * lane:], crc) ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC: rotate right by 15 bits and add a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame_record(data: bytes) -> bytes:
    """One TFRecord: uint64 length, masked CRC of the length, data, masked CRC of the data."""
    header = struct.pack("<Q", len(data))
    return (header + struct.pack("<I", masked_crc32c(header)) + data
            + struct.pack("<I", masked_crc32c(data)))
