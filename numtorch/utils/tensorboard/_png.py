"""A minimal PNG encoder (8-bit, no interlacing, filter type 0) built on zlib."""
from __future__ import annotations

import struct
import zlib

import numpy as np

# PNG colour type for 1 (grey), 2 (grey + alpha), 3 (RGB) and 4 (RGBA) channels.
_COLOR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an ``(H, W, C)`` uint8 array with C in 1..4."""
    height, width, channels = image.shape
    if channels not in _COLOR_TYPE:
        raise ValueError(f"cannot encode an image with {channels} channels as PNG")
    rows = np.ascontiguousarray(image, dtype=np.uint8).reshape(height, width * channels)
    # Every scanline starts with its filter byte (0 = None).
    raw = np.concatenate([np.zeros((height, 1), np.uint8), rows], axis=1).tobytes()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, _COLOR_TYPE[channels], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b""))
