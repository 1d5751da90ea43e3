"""Downloading, checking and unpacking dataset files (``torchvision.datasets.utils``)."""
from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import pathlib
import sys
import tarfile
import urllib.error
import urllib.request
import zipfile

__all__ = ['calculate_md5', 'check_md5', 'check_integrity', 'download_url', 'extract_archive',
           'download_and_extract_archive', 'verify_str_arg', 'iterable_to_str']

USER_AGENT = 'numtorch/torchvision'


def calculate_md5(fpath, chunk_size: int = 1024 * 1024) -> str:
    """The MD5 hex digest of a file."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, 'rb') as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5: str, **kwargs) -> bool:
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5: str | None = None) -> bool:
    """True if ``fpath`` is a file (with MD5 ``md5`` when given)."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


def _urlretrieve(url: str, filename, chunk_size: int = 1024 * 32) -> None:
    # NOTE: looked up on urllib.request at call time, so a test can stand in for the network
    request = urllib.request.Request(url, headers={'User-Agent': USER_AGENT})
    with urllib.request.urlopen(request) as response, open(filename, 'wb') as fh:
        while chunk := response.read(chunk_size):
            fh.write(chunk)


def download_url(url: str, root, filename=None, md5: str | None = None,
                 max_redirect_hops: int = 3) -> None:
    """Downloads ``url`` into ``root/filename`` unless a file with MD5 ``md5`` is there.

    Raises ``urllib.error.URLError``/``OSError`` when the network fails and RuntimeError when
    the downloaded (or present but corrupt) file fails its checksum; the message names the file.
    """
    root = os.path.expanduser(root)
    if not filename:
        filename = os.path.basename(url)
    fpath = os.fspath(os.path.join(root, filename))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    stale = (f'{fpath} is there but fails its MD5 check (expected {md5}, got '
             f'{calculate_md5(fpath)}): it is corrupt or incomplete. '
             if os.path.isfile(fpath) else '')
    print(f'Downloading {url} to {fpath}', file=sys.stderr)
    try:
        try:
            _urlretrieve(url, fpath)
        except (urllib.error.URLError, OSError):
            if url[:5] != 'https':
                raise
            _urlretrieve(url.replace('https:', 'http:'), fpath)
    except (urllib.error.URLError, OSError) as e:
        if stale:
            raise RuntimeError(f'{stale}Downloading a fresh copy from {url} failed: {e}') from e
        raise
    if not check_integrity(fpath, md5):
        raise RuntimeError(f'File not found or corrupted: {fpath} (downloaded from {url}) fails '
                           f'its MD5 check (expected {md5}, got {calculate_md5(fpath)}).')


_ARCHIVES = ('.tar', '.zip')
_COMPRESSIONS = {'.bz2': bz2.open, '.gz': gzip.open, '.xz': lzma.open}
_ALIASES = {'.tbz': ('.tar', '.bz2'), '.tbz2': ('.tar', '.bz2'), '.tgz': ('.tar', '.gz')}


def _detect_file_type(file) -> tuple[str, str | None, str | None]:
    """(suffix, archive type, compression) from a file name, as torchvision detects them."""
    suffixes = pathlib.Path(file).suffixes
    if not suffixes:
        raise RuntimeError(f"File '{file}' has no suffixes that could be used to detect the "
                           'archive type and compression.')
    suffix = suffixes[-1]
    if suffix in _ALIASES:
        return (suffix, *_ALIASES[suffix])
    if suffix in _ARCHIVES:
        return suffix, suffix, None
    if suffix in _COMPRESSIONS:
        if len(suffixes) > 1 and suffixes[-2] in _ARCHIVES:
            return suffixes[-2] + suffix, suffixes[-2], suffix
        return suffix, None, suffix
    valid = sorted(set(_ALIASES) | set(_ARCHIVES) | set(_COMPRESSIONS))
    raise RuntimeError(f"Unknown compression or archive type: '{suffix}'.\nKnown suffixes are: "
                       f"'{valid}'.")


def extract_archive(from_path, to_path=None, remove_finished: bool = False):
    """Unpacks a .tar/.zip archive (optionally compressed) or decompresses a single .gz/.bz2/.xz
    file; returns the folder (archives) or the decompressed file."""
    if to_path is None:
        to_path = os.path.dirname(from_path)
    suffix, archive_type, compression = _detect_file_type(from_path)
    try:
        if archive_type is None:  # a single compressed file
            out = os.path.join(to_path, os.path.basename(os.fspath(from_path)).replace(suffix,
                                                                                      ''))
            with _COMPRESSIONS[compression](from_path, 'rb') as rfh, open(out, 'wb') as wfh:
                wfh.write(rfh.read())
        elif archive_type == '.tar':
            mode = f'r:{compression[1:]}' if compression else 'r'
            with tarfile.open(from_path, mode) as tar:
                # the 'data' filter refuses members that would land outside to_path
                if hasattr(tarfile, 'data_filter'):
                    tar.extractall(to_path, filter='data')
                else:
                    tar.extractall(to_path)
            out = to_path
        else:
            with zipfile.ZipFile(from_path, 'r') as zf:
                zf.extractall(to_path)
            out = to_path
    except (EOFError, OSError, tarfile.TarError, zipfile.BadZipFile, lzma.LZMAError) as e:
        raise RuntimeError(f'Could not extract {from_path}: {e} (the file is corrupt or '
                           'incomplete; delete it and download it again)') from e
    if remove_finished:
        os.remove(from_path)
    return out


def download_and_extract_archive(url: str, download_root, extract_root=None, filename=None,
                                 md5: str | None = None, remove_finished: bool = False) -> None:
    """``download_url`` then ``extract_archive``."""
    download_root = os.path.expanduser(download_root)
    if extract_root is None:
        extract_root = download_root
    if not filename:
        filename = os.path.basename(url)
    download_url(url, download_root, filename, md5)
    archive = os.path.join(download_root, filename)
    print(f'Extracting {archive} to {extract_root}', file=sys.stderr)
    extract_archive(archive, extract_root, remove_finished)


def iterable_to_str(iterable) -> str:
    return "'" + "', '".join([str(item) for item in iterable]) + "'"


def verify_str_arg(value, arg: str | None = None, valid_values=None,
                   custom_msg: str | None = None):
    """Checks that ``value`` is a str among ``valid_values``; ValueError otherwise."""
    if not isinstance(value, str):
        if arg is None:
            msg = f'Expected type str, but got type {type(value)}.'
        else:
            msg = f'Expected type str for argument {arg}, but got type {type(value)}.'
        raise ValueError(msg)
    if valid_values is None:
        return value
    if value not in valid_values:
        if custom_msg is not None:
            msg = custom_msg
        else:
            msg = (f'Unknown value \'{value}\' for argument {arg}. Valid values are '
                   f'{{{iterable_to_str(valid_values)}}}.')
        raise ValueError(msg)
    return value
