"""The zip container of PyTorch checkpoints, written and read the way PyTorch's
``PyTorchStreamWriter`` / ``PyTorchStreamReader`` (miniz) do.

Records are stored uncompressed with their data aligned to 64 bytes by an 'FB' extra
field, each non-empty one followed by a data descriptor; zip64 fields appear where
sizes or offsets reach 4 GiB and zip64 end records are always written. The last
record, ``.data/serialization_id``, is PyTorch's deterministic id: a hash of the record
names taken in the iteration order of a libstdc++ ``std::unordered_set`` (replayed
here) followed by a combination of the records' CRC-32s. Files come out byte for byte
as PyTorch writes them.
"""
from __future__ import annotations

import struct
import sys
import threading
import zlib
from typing import BinaryIO, Callable

import numpy as np

__all__: list[str] = []

_MINIZ_HINT = (' This is an internal miniz error. If you are seeing this error, there is a '
               'high likelihood that your checkpoint file is corrupted. This can happen if the '
               'checkpoint was not saved properly, was transferred incorrectly, or the file was '
               'modified after saving.')


_U32 = 0xFFFFFFFF
# Sizes and offsets from here on need zip64 fields (a separate name so tests can lower it).
_ZIP64_LIMIT = _U32
_ALIGN = 64
_WRITEBACK_BYTES = 1 << 20
# Records from this size on have their CRC-32 computed while their data is written.
_CRC_THREAD_BYTES = 1 << 20
_M64 = (1 << 64) - 1
# libstdc++'s std::unordered_set bucket counts as it grows (size reached -> buckets).
_BUCKET_GROWTH = ((1, 13), (14, 29), (30, 59), (60, 127), (128, 257), (258, 541),
                  (542, 1109), (1110, 2357), (2358, 5087), (5088, 10273), (10274, 20753),
                  (20754, 42043), (42044, 85229), (85230, 172933), (172934, 351061),
                  (351062, 712697), (712698, 1447153), (1447154, 2938679),
                  (2938680, 5967347))


def _std_hash(b: bytes) -> int:
    """libstdc++'s ``std::hash<std::string>`` (64-bit MurmurHash2, seed 0xc70f6907)."""
    mul = 0xC6A4A7935BD1E995
    n = len(b)
    h = (0xC70F6907 ^ (n * mul)) & _M64
    aligned = n & ~7
    for p in range(0, aligned, 8):
        d = (int.from_bytes(b[p:p + 8], 'little') * mul) & _M64
        d = ((d ^ (d >> 47)) * mul) & _M64
        h = ((h ^ d) * mul) & _M64
    if n & 7:
        h = ((h ^ int.from_bytes(b[aligned:], 'little')) * mul) & _M64
    h = ((h ^ (h >> 47)) * mul) & _M64
    return h ^ (h >> 47)


def _hash_combine(seed: int, value: int) -> int:
    return (seed ^ ((value + 0x9E3779B9 + (seed << 6) + (seed >> 2)) & _M64)) & _M64


def _unordered_set_order(names: list[str]) -> list[str]:
    """The iteration order of a libstdc++ ``std::unordered_set<std::string>`` after
    inserting ``names`` in order (PyTorch's writer hashes its record names in it)."""
    # NOTE: replays libstdc++'s _Hashtable: one singly linked list; a node goes right
    # after its bucket's 'before' node, or to the list head if its bucket is empty;
    # rehashing walks the list and re-inserts the same way.
    codes = [_std_hash(n.encode()) for n in names]
    nxt = [None] * len(names)
    head = None
    buckets: dict = {}
    nbuckets = 1
    growth = iter(_BUCKET_GROWTH)
    step = next(growth)
    BEGIN = -1

    def after(prev, node):
        nonlocal head
        if prev == BEGIN:
            nxt[node], head = head, node
        else:
            nxt[node], nxt[prev] = nxt[prev], node

    for i in range(len(names)):
        if step is not None and i + 1 == step[0]:
            nbuckets = step[1]
            step = next(growth, None)
            p, head, buckets, first_bkt = head, None, {}, 0
            while p is not None:
                following = nxt[p]
                b = codes[p] % nbuckets
                if b not in buckets:
                    nxt[p], head = head, p
                    buckets[b] = BEGIN
                    if nxt[p] is not None:
                        buckets[first_bkt] = p
                    first_bkt = b
                else:
                    after(buckets[b], p)
                p = following
        b = codes[i] % nbuckets
        if b in buckets:
            after(buckets[b], i)
        else:
            nxt[i], head = head, i
            if nxt[i] is not None:
                buckets[codes[nxt[i]] % nbuckets] = i
            buckets[b] = BEGIN
    order = []
    p = head
    while p is not None:
        order.append(names[p])
        p = nxt[p]
    return order


class _ZipWriter:
    """Writes records the way PyTorch's ``PyTorchStreamWriter`` (miniz) does: stored,
    data aligned to 64 bytes by an 'FB' extra field, a data descriptor after each
    non-empty record, zip64 end records."""

    def __init__(self, write: Callable, archive_name: str,
                 written: Callable | None = None) -> None:
        self._write = write
        # Called as written(offset, nbytes) after each large record's data went out.
        self._written = written
        self._prefix = archive_name + '/'
        self._pos = 0
        self._central: list[bytes] = []
        self._names: list[str] = []
        self._crc_combined = 0

    def _out(self, data) -> None:
        self._write(data)
        self._pos += len(data) if isinstance(data, bytes) else memoryview(data).nbytes

    def write_record(self, name: str, data, size: int) -> None:
        full = (self._prefix + name).encode()
        ofs = self._pos
        big_size, big_ofs = size >= _ZIP64_LIMIT, ofs >= _ZIP64_LIMIT
        # Local zip64 field: sizes (the compressed one still unknown, so 0) and offset.
        z64 = b''
        if big_size:
            z64 += struct.pack('<QQ', size, 0)
        if big_ofs:
            z64 += struct.pack('<Q', ofs)
        if z64:
            z64 = struct.pack('<HH', 1, len(z64)) + z64
        start = ofs + 30 + len(full) + 4 + len(z64)
        pad = -start % _ALIGN
        extra = z64 + b'FB' + struct.pack('<H', pad) + b'Z' * pad
        flags = 0x0808 if size else 0x0800
        self._out(struct.pack('<IHHHHHIIIHH', 0x04034B50, 0, flags, 0, 0, 0, 0, 0, 0,
                              len(full), len(extra)) + full + extra)
        crc = 0
        if size:
            start = self._pos
            helper = None
            if size >= _CRC_THREAD_BYTES:
                # (the CRC goes in the data descriptor after the data, so it is computed
                # in a second thread while the data is written: both release the GIL)
                crcs: list = []
                helper = threading.Thread(target=lambda: crcs.append(zlib.crc32(data)))
                helper.start()
            try:
                self._out(data)
                if self._written is not None and size >= _WRITEBACK_BYTES:
                    self._written(start, size)
            finally:
                if helper is not None:
                    helper.join()
            crc = crcs[0] if helper is not None else zlib.crc32(data)
            if big_size or big_ofs:
                self._out(struct.pack('<IIQQ', 0x08074B50, crc, size, size))
            else:
                self._out(struct.pack('<IIII', 0x08074B50, crc, size, size))
            self._crc_combined = _hash_combine(self._crc_combined, crc)
        cz64 = b''
        if big_size:
            cz64 += struct.pack('<QQ', size, size)
        if big_ofs:
            cz64 += struct.pack('<Q', ofs)
        if cz64:
            cz64 = struct.pack('<HH', 1, len(cz64)) + cz64
        s32 = _U32 if big_size else size
        self._central.append(struct.pack('<IHHHHHHIIIHHHHHII', 0x02014B50, 0, 0, flags, 0, 0,
                                         0, crc, s32, s32, len(full), len(cz64), 0, 0, 0, 0,
                                         _U32 if big_ofs else ofs) + full + cz64)
        self._names.append(name)

    def write_end_of_file(self) -> None:
        if 'version' not in self._names and '.data/version' not in self._names:
            self.write_record('version', b'3\n', 2)
        if 'byteorder' not in self._names:
            self.write_record('byteorder', sys.byteorder.encode(), len(sys.byteorder))
        name_hash = 0
        for n in _unordered_set_order(self._names):
            name_hash = _hash_combine(name_hash, _std_hash(n.encode()))
        sid = f'{name_hash:020d}{self._crc_combined:020d}'.encode()
        self.write_record('.data/serialization_id', sid, len(sid))
        cd_ofs = self._pos
        cd = b''.join(self._central)
        self._out(cd)
        n = len(self._central)
        eocd64_ofs = self._pos
        self._out(struct.pack('<IQHHIIQQQQ', 0x06064B50, 44, 0x031E, 45, 0, 0, n, n, len(cd),
                              cd_ofs))
        self._out(struct.pack('<IIQI', 0x07064B50, 0, eocd64_ofs, 1))
        self._out(struct.pack('<IHHHHIIH', 0x06054B50, 0, 0, min(n, 0xFFFF), min(n, 0xFFFF),
                              min(len(cd), _U32), _U32 if cd_ofs >= _ZIP64_LIMIT else cd_ofs,
                              0))


def _reader_error(what: str) -> RuntimeError:
    return RuntimeError(f'PytorchStreamReader failed {what}.{_MINIZ_HINT}')


class _ZipReader:
    """Reads PyTorch archives (``PyTorchStreamReader``): the central directory, then
    records by name; data records come back as writable uint8 arrays of their own."""

    def __init__(self, f: BinaryIO, mmap_file=None) -> None:
        self._f = f
        self._mmap = mmap_file
        self._base = f.tell()
        size = f.seek(0, 2) - self._base
        if size > 8:
            f.seek(self._base)
            if f.read(8) == b'PYTORCH1':
                raise RuntimeError('File is an unsupported archive format from the preview '
                                   'release.')
        if size < 22:
            raise _reader_error('reading zip archive: not a ZIP archive')
        tail_len = min(size, 0xFFFF + 22)
        f.seek(self._base + size - tail_len)
        tail = f.read(tail_len)
        at = tail.rfind(b'PK\x05\x06', 0, len(tail) - 18)
        if at < 0:
            raise _reader_error('reading zip archive: failed finding central directory')
        n, cd_size, cd_ofs = struct.unpack_from('<HII', tail, at + 10)
        eocd_pos = size - tail_len + at
        if at >= 20 and tail[at - 20:at - 16] == b'PK\x06\x07':
            (eocd64_ofs,) = struct.unpack_from('<Q', tail, at - 12)
            f.seek(self._base + eocd64_ofs)
            rec = f.read(56)
            if len(rec) != 56 or rec[:4] != b'PK\x06\x06':
                raise _reader_error('reading zip archive: invalid header or archive is '
                                    'corrupted')
            n, cd_size, cd_ofs = struct.unpack_from('<QQQ', rec, 32)
        if cd_ofs + cd_size > eocd_pos:
            raise _reader_error('reading zip archive: invalid central directory size')
        f.seek(self._base + cd_ofs)
        cd = f.read(cd_size)
        self._records: dict[str, tuple] = {}
        pos = 0
        first = None
        for _ in range(n):
            if cd[pos:pos + 4] != b'PK\x01\x02' or len(cd) < pos + 46:
                raise _reader_error('reading zip archive: invalid header or archive is '
                                    'corrupted')
            (method, csize, usize, nlen, xlen, clen, ofs) = struct.unpack_from(
                '<10xH8xIIHHH8xI', cd, pos)
            name = cd[pos + 46:pos + 46 + nlen].decode('utf-8', 'surrogateescape')
            extra = cd[pos + 46 + nlen:pos + 46 + nlen + xlen]
            usize, csize, ofs = _zip64_fields(extra, usize, csize, ofs)
            self._records[name] = (ofs, csize, usize, method)
            if first is None:
                first = name
            pos += 46 + nlen + xlen + clen
        if first is None:
            raise RuntimeError('archive does not contain any files')
        if '/' not in first:
            raise RuntimeError(f'file in archive is not in a subdirectory: {first}')
        self.archive_name = first[:first.index('/')]
        self._prefix = self.archive_name + '/'
        version = self.get_record('.data/version' if self.has_record('.data/version')
                                  else 'version')
        try:
            self.version = int(bytes(version))
        except ValueError:
            raise RuntimeError(f"Couldn't parse the version {bytes(version).decode()} as "
                               'Long Long.') from None

    def has_record(self, name: str) -> bool:
        return self._prefix + name in self._records

    def get_all_records(self) -> list[str]:
        return [n[len(self._prefix):] for n in self._records]

    def get_record(self, name: str) -> np.ndarray:
        """The bytes of record ``name`` as a writable uint8 array (a view of the file
        when memory-mapped)."""
        info = self._records.get(self._prefix + name)
        if info is None:
            raise _reader_error(f'locating file {name}: file not found')
        ofs, csize, usize, method = info
        f = self._f
        f.seek(self._base + ofs)
        header = f.read(30)
        if len(header) != 30 or header[:4] != b'PK\x03\x04':
            raise _reader_error(f'reading file {name}: invalid header or archive is corrupted')
        nlen, xlen = struct.unpack_from('<HH', header, 26)
        start = self._base + ofs + 30 + nlen + xlen
        if method == 0:
            if self._mmap is not None:
                if start + usize > len(self._mmap):
                    raise _reader_error(f'reading file {name}: file read failed')
                return np.frombuffer(self._mmap, np.uint8, usize, start)
            buf = np.empty(usize, np.uint8)  # not zero-filled: readinto overwrites it
            f.seek(start)
            if f.readinto(buf) != usize:
                raise _reader_error(f'reading file {name}: file read failed')
            return buf
        if method == 8:
            f.seek(start)
            data = zlib.decompress(f.read(csize), -15)
            if len(data) != usize:
                raise _reader_error(f'reading file {name}: decompression failed')
            return np.frombuffer(bytearray(data), np.uint8)
        raise _reader_error(f'reading file {name}: unsupported method')


def _zip64_fields(extra: bytes, usize: int, csize: int, ofs: int) -> tuple:
    """Replaces the 32-bit fields saturated at 0xFFFFFFFF by their zip64 values."""
    pos = 0
    while pos + 4 <= len(extra):
        hid, hlen = struct.unpack_from('<HH', extra, pos)
        if hid == 1:
            vals = list(struct.unpack_from(f'<{hlen // 8}Q', extra, pos + 4))
            if usize == _U32:
                usize = vals.pop(0)
            if csize == _U32:
                csize = vals.pop(0)
            if ofs == _U32:
                ofs = vals.pop(0)
            break
        pos += 4 + hlen
    return usize, csize, ofs
