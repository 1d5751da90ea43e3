"""torch.hub against PyTorch, offline: file:// URLs, a local HTTP server thread, hubconf.py
directories and a pre-filled cache."""
import functools
import hashlib
import http.server
import os
import threading
import zipfile

import numpy as np
import pytest
import torch

import numtorch


@pytest.fixture
def server(tmp_path):
    """Serves tmp_path/'www' on 127.0.0.1; yields the base URL."""
    root = tmp_path / 'www'
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    th = threading.Thread(target=httpd.serve_forever, kwargs={'poll_interval': 0.02},
                          daemon=True)
    th.start()
    try:
        yield f'http://127.0.0.1:{httpd.server_address[1]}', root
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def hubdirs(tmp_path):
    """Separate hub dirs for the two libraries; both restored afterwards."""
    saved = numtorch.hub._hub_dir, torch.hub._hub_dir
    numtorch.hub.set_dir(str(tmp_path / 'nt_hub'))
    torch.hub.set_dir(str(tmp_path / 't_hub'))
    yield tmp_path / 'nt_hub', tmp_path / 't_hub'
    numtorch.hub._hub_dir, torch.hub._hub_dir = saved


def test_get_dir_env_rules(monkeypatch, tmp_path):
    saved = numtorch.hub._hub_dir, torch.hub._hub_dir
    numtorch.hub._hub_dir = torch.hub._hub_dir = None
    try:
        for env in ({}, {'XDG_CACHE_HOME': str(tmp_path / 'xdg')},
                    {'XDG_CACHE_HOME': str(tmp_path / 'xdg'), 'TORCH_HOME': '~/th'}):
            for k in ('XDG_CACHE_HOME', 'TORCH_HOME', 'TORCH_HUB'):
                monkeypatch.delenv(k, raising=False)
            for k, v in env.items():
                monkeypatch.setenv(k, v)
            assert numtorch.hub.get_dir() == torch.hub.get_dir()
        numtorch.hub.set_dir('~/somewhere')
        torch.hub.set_dir('~/somewhere')
        assert numtorch.hub.get_dir() == torch.hub.get_dir() == os.path.expanduser('~/somewhere')
    finally:
        numtorch.hub._hub_dir, torch.hub._hub_dir = saved


def _checkpoint(root, stem='weights'):
    sd = {'w': torch.arange(6.0).reshape(2, 3), 'b': torch.tensor([1, 2], dtype=torch.int64)}
    tmp = root / 'tmp.pth'
    torch.save(sd, tmp)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    name = f'{stem}-{digest[:8]}.pth'
    tmp.rename(root / name)
    return sd, name, digest


def _same_sd(a, b):
    assert list(a) == list(b)
    for k in a:
        assert str(a[k].dtype).split('.')[1] == str(b[k].dtype).split('.')[1]
        np.testing.assert_array_equal(a[k].numpy(), b[k].numpy())


def test_load_state_dict_from_url_http(server, hubdirs, capsys):
    base, root = server
    sd, name, _ = _checkpoint(root)
    url = f'{base}/{name}'
    got = numtorch.hub.load_state_dict_from_url(url, check_hash=True, map_location='cpu',
                                                weights_only=True)
    ref = torch.hub.load_state_dict_from_url(url, check_hash=True, map_location='cpu',
                                             weights_only=True)
    _same_sd(got, ref)
    cached = hubdirs[0] / 'checkpoints' / name
    assert cached.exists() and (hubdirs[1] / 'checkpoints' / name).exists()
    out = capsys.readouterr()
    assert f'Downloading: "{url}" to {cached}\n' in out.out
    assert '100.0%' in out.err  # the progress line
    assert sorted(os.listdir(cached.parent)) == [name]  # no .partial left behind
    # a second call reads the cache: the server file can go
    (root / name).unlink()
    _same_sd(numtorch.hub.load_state_dict_from_url(url, progress=False), ref)
    assert 'Downloading' not in capsys.readouterr().out


def test_hash_mismatch_and_file_name(server, tmp_path, hubdirs):
    base, root = server
    sd, name, digest = _checkpoint(root)
    bad = 'weights-0000ffff.pth'
    os.rename(root / name, root / bad)
    errs = []
    for lib, d in ((numtorch, tmp_path / 'a'), (torch, tmp_path / 'b')):
        with pytest.raises(RuntimeError) as e:
            lib.hub.load_state_dict_from_url(f'{base}/{bad}', model_dir=str(d),
                                             check_hash=True, progress=False)
        errs.append(str(e.value))
        assert os.listdir(d) == []
    assert errs[0] == errs[1] == f'invalid hash value (expected "0000ffff", got "{digest}")'
    # without check_hash the same file loads; file_name picks the cached name
    got = numtorch.hub.load_state_dict_from_url(f'{base}/{bad}', model_dir=str(tmp_path / 'a'),
                                                progress=False, file_name='mine.pt')
    _same_sd(got, sd)
    assert os.listdir(tmp_path / 'a') == ['mine.pt']


def test_download_url_to_file_file_url(tmp_path, capsys):
    src = tmp_path / 'blob.bin'
    data = os.urandom(300_000)  # several read chunks
    src.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    for lib, dst in ((numtorch, tmp_path / 'n.bin'), (torch, tmp_path / 't.bin')):
        lib.hub.download_url_to_file(src.as_uri(), str(dst), hash_prefix=digest[:10],
                                     progress=False)
        assert dst.read_bytes() == data
    dst = tmp_path / 'keep.bin'
    dst.write_bytes(b'old')
    with pytest.raises(RuntimeError, match='invalid hash value'):
        numtorch.hub.download_url_to_file(src.as_uri(), str(dst), hash_prefix='zz')
    assert dst.read_bytes() == b'old'  # a failed download never replaces the destination
    assert sorted(p.name for p in tmp_path.iterdir()) == ['blob.bin', 'keep.bin', 'n.bin',
                                                          't.bin']
    with pytest.raises(Exception) as e:
        numtorch.hub.download_url_to_file((tmp_path / 'missing').as_uri(), str(dst))
    assert type(e.value).__name__ == 'URLError'


def test_legacy_zip_checkpoint(tmp_path, hubdirs):
    sd = {'w': torch.ones(2)}
    torch.save(sd, tmp_path / 'inner.pth')
    zpath = tmp_path / 'old.zip'
    with zipfile.ZipFile(zpath, 'w') as zf:
        zf.write(tmp_path / 'inner.pth', 'inner.pth')
    with pytest.warns(FutureWarning, match='old format < 1.6'):
        got = numtorch.hub.load_state_dict_from_url(zpath.as_uri(), progress=False)
    _same_sd(got, sd)
    assert (hubdirs[0] / 'checkpoints' / 'inner.pth').exists()


HUBCONF = '''
dependencies = {deps!r}
import helper_mod

def tiny(n=2, scale=1.0):
    """A tiny entry point."""
    return [helper_mod.VALUE * scale] * n

def _private():
    return 0

not_callable = 3
'''


def _make_repo(d, deps=('numpy',)):
    d.mkdir(parents=True)
    (d / 'hubconf.py').write_text(HUBCONF.format(deps=list(deps)))
    (d / 'helper_mod.py').write_text('VALUE = 7\n')


def test_load_local(tmp_path):
    repo = tmp_path / 'repo'
    _make_repo(repo)
    for lib in (numtorch, torch):
        assert lib.hub.load(str(repo), 'tiny', 3, source='local', scale=2.0) == [14.0] * 3
        assert str(repo) not in __import__('sys').path
    errs = []
    for lib in (numtorch, torch):
        with pytest.raises(RuntimeError) as e:
            lib.hub.load(str(repo), 'nope', source='local')
        with pytest.raises(RuntimeError) as e2:
            lib.hub.load(str(repo), 'not_callable', source='local')
        with pytest.raises(ValueError) as e3:
            lib.hub.load(str(repo), 'tiny', source='svn')
        errs.append((str(e.value), str(e2.value), str(e3.value)))
    assert errs[0] == errs[1]
    assert errs[0][0] == 'Cannot find callable nope in hubconf'
    bad = tmp_path / 'bad'
    _make_repo(bad, deps=('numpy', 'no_such_pkg_xyz', 'no_such_pkg_abc'))
    for lib in (numtorch, torch):
        with pytest.raises(RuntimeError, match='^Missing dependencies: no_such_pkg_xyz, '
                                               'no_such_pkg_abc$'):
            lib.hub.load(str(bad), 'tiny', source='local')


def test_list_help_from_cache(hubdirs, capsys):
    for d in hubdirs:
        _make_repo(d / 'someone_repo_main')
    results = []
    for lib in (numtorch, torch):
        results.append((lib.hub.list('someone/repo:main'),
                        lib.hub.help('someone/repo:main', 'tiny'),
                        lib.hub.load('someone/repo:main', 'tiny', 1)))
    assert results[0] == results[1]
    assert results[0] == (['tiny'], 'A tiny entry point.', [7.0])
    err = capsys.readouterr().err
    assert 'Using cache found in ' + str(hubdirs[0] / 'someone_repo_main') in err
