"""torch.hub: load models from a ``hubconf.py`` (in a local directory or a GitHub repository)
and checkpoints from URLs, cached under ``get_dir()``.

Everything here is PyTorch's behaviour: the cache directory rules (``$TORCH_HOME/hub``, where
``$TORCH_HOME`` defaults to ``$XDG_CACHE_HOME/torch`` and that to ``~/.cache/torch``), the
``checkpoints`` subfolder and its file names, the sha256-prefix check of ``name-<hash>.ext``
files, downloads that only replace the destination once complete, and the trusted-repository
prompt for GitHub sources.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib.util
import json
import os
import re
import shutil
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from . import serialization as _serialization

__all__ = ['download_url_to_file', 'get_dir', 'help', 'list', 'load',
           'load_state_dict_from_url', 'set_dir']

# the hash part of e.g. resnet18-bfd8deac.pth
HASH_REGEX = re.compile(r'-([a-f0-9]*)\.')
_TRUSTED_REPO_OWNERS = ('facebookresearch', 'facebookincubator', 'pytorch', 'fairinternal')
ENV_GITHUB_TOKEN = 'GITHUB_TOKEN'
ENV_TORCH_HOME = 'TORCH_HOME'
ENV_XDG_CACHE_HOME = 'XDG_CACHE_HOME'
DEFAULT_CACHE_DIR = '~/.cache'
VAR_DEPENDENCY = 'dependencies'
MODULE_HUBCONF = 'hubconf.py'
READ_DATA_CHUNK = 128 * 1024
_hub_dir: str | None = None


class _Progress:
    """A percentage (or byte count) on stderr, as PyTorch prints without tqdm."""

    def __init__(self, total: int | None, disable: bool) -> None:
        self.total = total
        self.disable = disable
        self.n = 0

    def update(self, n: int) -> None:
        if self.disable:
            return
        self.n += n
        if self.total is None:
            sys.stderr.write(f'\r{self.n:.1f} bytes')
        else:
            sys.stderr.write(f'\r{100 * self.n / float(self.total):.1f}%')
        sys.stderr.flush()

    def __enter__(self) -> '_Progress':
        return self

    def __exit__(self, *exc) -> None:
        if not self.disable:
            sys.stderr.write('\n')


def _get_torch_home() -> str:
    default = os.path.join(os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR), 'torch')
    return os.path.expanduser(os.getenv(ENV_TORCH_HOME, default))


def get_dir() -> str:
    """The hub cache directory: the one given to ``set_dir``, else ``$TORCH_HOME/hub``."""
    if os.getenv('TORCH_HUB'):
        warnings.warn('TORCH_HUB is deprecated, please use env TORCH_HOME instead',
                      stacklevel=2)
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_get_torch_home(), 'hub')


def set_dir(d: str | os.PathLike) -> None:
    """Sets the hub cache directory (``~`` is expanded)."""
    global _hub_dir
    _hub_dir = os.path.expanduser(d)


# -- hubconf.py -------------------------------------------------------------------------
@contextlib.contextmanager
def _add_to_sys_path(path: str):
    sys.path.insert(0, path)
    try:
        yield
    finally:
        sys.path.remove(path)


def _import_hubconf(repo_dir: str):
    path = os.path.join(repo_dir, MODULE_HUBCONF)
    spec = importlib.util.spec_from_file_location(MODULE_HUBCONF, path)
    if spec is None:
        raise AssertionError(f'failed to load spec from {path}')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_dependencies(m) -> None:
    deps = getattr(m, VAR_DEPENDENCY, None) if VAR_DEPENDENCY in dir(m) else None
    if deps is not None:
        missing = [pkg for pkg in deps if importlib.util.find_spec(pkg) is None]
        if missing:
            raise RuntimeError(f"Missing dependencies: {', '.join(missing)}")


def _load_entry_from_hubconf(m, model):
    if not isinstance(model, str):
        raise ValueError('Invalid input: model should be a string of function name')
    # NOTE: a dependency imported at the top of hubconf.py fails while importing it, before
    # this check; Python's own ImportError says which.
    _check_dependencies(m)
    func = getattr(m, model) if model in dir(m) else None
    if func is None or not callable(func):
        raise RuntimeError(f'Cannot find callable {model} in hubconf')
    return func


def _load_local(hubconf_dir: str, model: str, *args, **kwargs):
    with _add_to_sys_path(hubconf_dir):
        entry = _load_entry_from_hubconf(_import_hubconf(hubconf_dir), model)
        return entry(*args, **kwargs)


# -- GitHub sources -----------------------------------------------------------------------
def _parse_repo_info(github: str) -> tuple[str, str, str]:
    if ':' in github:
        repo_info, ref = github.split(':')
    else:
        repo_info, ref = github, None
    repo_owner, repo_name = repo_info.split('/')
    if ref is None:
        from urllib.error import HTTPError, URLError
        from urllib.request import urlopen
        # the default branch: main when it exists, else master
        try:
            with urlopen(f'https://github.com/{repo_owner}/{repo_name}/tree/main/'):
                ref = 'main'
        except HTTPError as e:
            if e.code != 404:
                raise
            ref = 'master'
        except URLError as e:
            for guess in ('main', 'master'):
                if os.path.exists(f'{get_dir()}/{repo_owner}_{repo_name}_{guess}'):
                    ref = guess
                    break
            if ref is None:
                raise RuntimeError('It looks like there is no internet connection and the '
                                   f'repo could not be found in the cache ({get_dir()})') from e
    return repo_owner, repo_name, ref


def _read_url(url) -> str:
    from urllib.request import urlopen
    with urlopen(url) as r:
        return r.read().decode(r.headers.get_content_charset('utf-8'))


def _validate_not_a_forked_repo(repo_owner: str, repo_name: str, ref: str) -> None:
    from urllib.error import HTTPError
    from urllib.request import Request
    headers = {'Accept': 'application/vnd.github.v3+json'}
    token = os.environ.get(ENV_GITHUB_TOKEN)
    if token is not None:
        headers['Authorization'] = f'token {token}'
    for prefix in (f'https://api.github.com/repos/{repo_owner}/{repo_name}/branches',
                   f'https://api.github.com/repos/{repo_owner}/{repo_name}/tags'):
        page = 0
        while True:
            page += 1
            url = f'{prefix}?per_page=100&page={page}'
            try:
                response = json.loads(_read_url(Request(url, headers=headers)))
            except HTTPError:
                headers.pop('Authorization', None)  # retry without a token lacking rights
                response = json.loads(_read_url(Request(url, headers=headers)))
            if not response:
                break
            for br in response:
                if br['name'] == ref or br['commit']['sha'].startswith(ref):
                    return
    raise ValueError(f'Cannot find {ref} in https://github.com/{repo_owner}/{repo_name}. '
                     "If it's a commit from a forked repo, please call hub.load() with forked "
                     'repo directly.')


def _check_repo_is_trusted(repo_owner: str, repo_name: str, owner_name_branch: str,
                           trust_repo) -> None:
    hub_dir = get_dir()
    filepath = os.path.join(hub_dir, 'trusted_list')
    if not os.path.exists(filepath):
        Path(filepath).touch()
    with open(filepath) as file:
        trusted = tuple(line.strip() for line in file)
    # a repo downloaded before the trusted list existed counts as trusted
    downloaded = next(os.walk(hub_dir))[1]
    owner_name = '_'.join([repo_owner, repo_name])
    is_trusted = (owner_name in trusted or owner_name_branch in downloaded
                  or repo_owner in _TRUSTED_REPO_OWNERS)
    if trust_repo is False or (trust_repo == 'check' and not is_trusted):
        response = input(
            f'The repository {owner_name} does not belong to the list of trusted repositories '
            'and as such cannot be downloaded. Do you trust this repository and wish to add it '
            'to the trusted list of repositories (y/N)?')
        if response.lower() in ('y', 'yes'):
            if is_trusted:
                print('The repository is already trusted.')
        elif response.lower() in ('n', 'no', ''):
            raise Exception('Untrusted repository.')
        else:
            raise ValueError(f'Unrecognized response {response}.')
    if not is_trusted:
        with open(filepath, 'a') as file:
            file.write(owner_name + '\n')


def _safe_extract_zip(zf: zipfile.ZipFile, extract_to: str) -> None:
    """Extracts every member, refusing absolute paths and paths leaving ``extract_to``."""
    root = Path(extract_to).resolve(strict=False)
    for member in zf.infolist():
        name = os.path.normpath(member.filename)
        if name.startswith(('/', '\\')) or (len(name) >= 2 and name[1] == ':'
                                            and name[0].isalpha()):
            raise ValueError(f'Archive entry has absolute path: {member.filename}')
        if '..' in re.split(r'[/\\]', name):
            raise ValueError(f'Archive entry contains directory traversal: {member.filename}')
        if not (root / name).resolve(strict=False).is_relative_to(root):
            raise ValueError(f'Archive entry escapes target directory: {member.filename}')
        zf.extract(member, root)


def _remove_if_exists(path: str) -> None:
    if os.path.isfile(path):
        os.remove(path)
    elif os.path.exists(path):
        shutil.rmtree(path)


def _get_cache_or_reload(github: str, force_reload: bool, trust_repo, verbose: bool = True,
                         skip_validation: bool = False) -> str:
    hub_dir = get_dir()
    os.makedirs(hub_dir, exist_ok=True)
    repo_owner, repo_name, ref = _parse_repo_info(github)
    # a branch name may hold '/', which is no folder name
    normalized_br = ref.replace('/', '_')
    owner_name_branch = '_'.join([repo_owner, repo_name, normalized_br])
    repo_dir = os.path.join(hub_dir, owner_name_branch)
    _check_repo_is_trusted(repo_owner, repo_name, owner_name_branch, trust_repo=trust_repo)
    if not force_reload and os.path.exists(repo_dir):
        if verbose:
            sys.stderr.write(f'Using cache found in {repo_dir}\n')
        return repo_dir
    if not skip_validation:
        _validate_not_a_forked_repo(repo_owner, repo_name, ref)
    from urllib.error import HTTPError
    cached_file = os.path.join(hub_dir, normalized_br + '.zip')
    _remove_if_exists(cached_file)
    url = f'https://github.com/{repo_owner}/{repo_name}/zipball/{ref}'
    try:
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        download_url_to_file(url, cached_file, progress=False)
    except HTTPError as err:
        if err.code != 300:
            raise
        # 300 Multiple Choices: the ref is both a tag and a branch; take the branch, as git
        warnings.warn(
            f'The ref {ref} is ambiguous. Perhaps it is both a tag and a branch in the repo? '
            "Torchhub will now assume that it's a branch. You can disambiguate tags and "
            'branches by explicitly passing refs/heads/branch_name or refs/tags/tag_name as '
            'the ref. That might require using skip_validation=True.', stacklevel=2)
        url = f'https://github.com/{repo_owner}/{repo_name}/zipball/refs/heads/{ref}'
        download_url_to_file(url, cached_file, progress=False)
    with zipfile.ZipFile(cached_file) as zf:
        extracted = os.path.join(hub_dir, zf.infolist()[0].filename)
        _remove_if_exists(extracted)
        _safe_extract_zip(zf, hub_dir)
    _remove_if_exists(cached_file)
    _remove_if_exists(repo_dir)
    shutil.move(extracted, repo_dir)
    return repo_dir


# -- public entry points ------------------------------------------------------------------
def list(github: str, force_reload: bool = False, skip_validation: bool = False,
         trust_repo='check', verbose: bool = True) -> 'list[str]':
    """The public callables (names not starting with '_') in the ``hubconf.py`` of the GitHub
    repository ``owner/name[:ref]`` (downloaded into ``get_dir()`` unless cached)."""
    repo_dir = _get_cache_or_reload(github, force_reload, trust_repo, verbose=verbose,
                                    skip_validation=skip_validation)
    with _add_to_sys_path(repo_dir):
        m = _import_hubconf(repo_dir)
    return [f for f in dir(m) if callable(getattr(m, f)) and not f.startswith('_')]


def help(github: str, model: str, force_reload: bool = False, skip_validation: bool = False,
         trust_repo='check') -> str | None:
    """The docstring of entry point ``model`` of the repository's ``hubconf.py``."""
    repo_dir = _get_cache_or_reload(github, force_reload, trust_repo, verbose=True,
                                    skip_validation=skip_validation)
    with _add_to_sys_path(repo_dir):
        m = _import_hubconf(repo_dir)
    return _load_entry_from_hubconf(m, model).__doc__


def load(repo_or_dir: str, model: str, *args, source: str = 'github', trust_repo='check',
         force_reload: bool = False, verbose: bool = True, skip_validation: bool = False,
         **kwargs):
    """Calls entry point ``model`` of a ``hubconf.py`` with ``*args, **kwargs`` and returns
    what it returns. ``source='local'``: ``repo_or_dir`` is a directory holding hubconf.py;
    ``source='github'``: it is ``owner/name[:ref]``, downloaded into ``get_dir()`` unless
    cached. The hubconf's ``dependencies`` list must all be importable."""
    source = source.lower()
    if source not in ('github', 'local'):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    if source == 'github':
        repo_or_dir = _get_cache_or_reload(repo_or_dir, force_reload, trust_repo,
                                           verbose=verbose, skip_validation=skip_validation)
    return _load_local(repo_or_dir, model, *args, **kwargs)


def download_url_to_file(url: str, dst: str, hash_prefix: str | None = None,
                         progress: bool = True) -> None:
    """Downloads ``url`` to the path ``dst``. The bytes go to a temporary file beside ``dst``
    that replaces it only once complete (and, with ``hash_prefix``, only when the file's
    SHA256 hex digest starts with it: else RuntimeError and ``dst`` is untouched)."""
    # NOTE: imported here: urllib.request costs tens of ms (http.client, ssl, email)
    import uuid
    from urllib.request import Request, urlopen
    dst = os.path.expanduser(dst)
    # NOTE: not NamedTemporaryFile, whose 0600 mode the moved file would keep
    for _ in range(tempfile.TMP_MAX):
        tmp_dst = dst + '.' + uuid.uuid4().hex + '.partial'
        try:
            f = open(tmp_dst, 'w+b')
        except FileExistsError:
            continue
        break
    else:
        raise FileExistsError(errno.EEXIST, 'No usable temporary file name found')
    req = Request(url, headers={'User-Agent': 'torch.hub'})
    try:
        with urlopen(req) as u:
            lengths = u.info().get_all('Content-Length')
            file_size = int(lengths[0]) if lengths else None
            sha256 = hashlib.sha256() if hash_prefix is not None else None
            with _Progress(file_size, disable=not progress) as bar:
                while True:
                    buf = u.read(READ_DATA_CHUNK)
                    if not buf:
                        break
                    f.write(buf)
                    if sha256 is not None:
                        sha256.update(buf)
                    bar.update(len(buf))
            f.close()
            if sha256 is not None:
                digest = sha256.hexdigest()
                if digest[:len(hash_prefix)] != hash_prefix:
                    raise RuntimeError(
                        f'invalid hash value (expected "{hash_prefix}", got "{digest}")')
        shutil.move(f.name, dst)
    finally:
        f.close()
        if os.path.exists(f.name):
            os.remove(f.name)


def _is_legacy_zip_format(filename: str) -> bool:
    """A zip holding exactly one file: a pre-1.6 checkpoint zipped by hand."""
    if zipfile.is_zipfile(filename):
        with zipfile.ZipFile(filename) as zf:
            infos = zf.infolist()
        return len(infos) == 1 and not infos[0].is_dir()
    return False


def _legacy_zip_load(filename: str, model_dir: str, map_location, weights_only: bool):
    warnings.warn('Falling back to the old format < 1.6. This support will be deprecated in '
                  'favor of default zipfile format introduced in 1.6. Please redo torch.save() '
                  'to save it in the new zipfile format.', FutureWarning, stacklevel=3)
    with zipfile.ZipFile(filename) as zf:
        members = zf.infolist()
        if len(members) != 1:
            raise RuntimeError('Only one file(not dir) is allowed in the zipfile')
        _safe_extract_zip(zf, model_dir)
        extracted = os.path.join(model_dir, members[0].filename)
    return _serialization.load(extracted, map_location=map_location, weights_only=weights_only)


def load_state_dict_from_url(url: str, model_dir: str | None = None, map_location=None,
                             progress: bool = True, check_hash: bool = False,
                             file_name: str | None = None,
                             weights_only: bool = False) -> dict[str, Any]:
    """Loads the object saved at ``url``, downloading it first into ``model_dir`` (default
    ``<get_dir()>/checkpoints``) under ``file_name`` (default: the URL's file name) unless
    that file is already there. ``check_hash``: the file name is ``name-<hash>.ext`` and
    the download's SHA256 must start with ``<hash>``. A zip holding one file (the pre-1.6
    layout) is extracted first."""
    if os.getenv('TORCH_MODEL_ZOO'):
        warnings.warn('TORCH_MODEL_ZOO is deprecated, please use env TORCH_HOME instead',
                      stacklevel=2)
    if model_dir is None:
        model_dir = os.path.join(get_dir(), 'checkpoints')
    os.makedirs(model_dir, exist_ok=True)
    filename = os.path.basename(urlparse(url).path)
    if file_name is not None:
        filename = file_name
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        hash_prefix = None
        if check_hash:
            r = HASH_REGEX.search(filename)
            hash_prefix = r.group(1) if r else None
        download_url_to_file(url, cached_file, hash_prefix, progress=progress)
    if _is_legacy_zip_format(cached_file):
        return _legacy_zip_load(cached_file, model_dir, map_location, weights_only)
    return _serialization.load(cached_file, map_location=map_location,
                               weights_only=weights_only)
