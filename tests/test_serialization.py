"""numtorch.save / numtorch.load against torch.save / torch.load: files go both ways
(and are byte-for-byte PyTorch's), for every dtype, views, containers, state_dicts of
the seed networks, optimizer state, whole modules and the legacy format; the
weights_only unpickler refuses code; bad files and paths fail as in PyTorch; an
interrupted save leaves the old file in place."""
from __future__ import annotations

import collections
import io
import os
import pathlib
import pickle
import signal
import subprocess
import sys
import textwrap
import types
import uuid

import numpy as np
import pytest
import torch

import numtorch
import numtorch.serialization as S
import numtorch._zip as Z

ROOT = pathlib.Path(__file__).resolve().parents[1]
DTYPES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64']


def _values(name: str) -> list:
    if name == 'bool':
        return [True, False, True]
    if name.startswith('float'):
        fi = np.finfo(name)
        return [0.0, -1.5, float(fi.max), float(fi.tiny), float('inf'), float('nan')]
    ii = np.iinfo(name)
    return [int(ii.min), 0, 1, int(ii.max)]


def saved(lib, obj, **kw) -> bytes:
    b = io.BytesIO()
    lib.save(obj, b, **kw)
    return b.getvalue()


def loaded(lib, data: bytes, **kw):
    return lib.load(io.BytesIO(data), **kw)


def assert_same_tensor(n, t):
    assert isinstance(n, numtorch.Tensor) and isinstance(t, torch.Tensor)
    assert str(n.dtype) == str(t.dtype) and tuple(n.shape) == tuple(t.shape)
    assert n.requires_grad == t.requires_grad
    np.testing.assert_array_equal(n.detach().numpy(), t.detach().numpy())


def assert_same(n, t):
    """Structures equal, tensors compared value by value."""
    if isinstance(t, torch.Tensor):
        assert_same_tensor(n, t)
    elif isinstance(t, dict):
        assert type(n) is type(t) and list(n) == list(t)
        for k in t:
            assert_same(n[k], t[k])
        assert getattr(n, '_metadata', None) == getattr(t, '_metadata', None)
    elif isinstance(t, (list, tuple)):
        assert type(n).__name__ == type(t).__name__ and len(n) == len(t)
        for a, b in zip(n, t):
            assert_same(a, b)
    elif isinstance(t, torch.dtype):
        assert str(n) == str(t)
    elif isinstance(t, torch.device):
        assert str(n) == str(t) and isinstance(n, numtorch.device)
    else:
        assert n == t


# -- tensors, every dtype, both directions, byte for byte ---------------------------------
@pytest.mark.parametrize('name', DTYPES)
def test_every_dtype_both_ways_and_byte_identical(name):
    def build(lib):
        dt = getattr(lib, name)
        return [lib.tensor(_values(name), dtype=dt), lib.tensor(_values(name)[1], dtype=dt),
                lib.zeros(0, dtype=dt), lib.zeros(2, 0, 3, dtype=dt)]
    nb, tb = saved(numtorch, build(numtorch)), saved(torch, build(torch))
    assert nb == tb
    assert_same(loaded(numtorch, tb), torch.load(io.BytesIO(nb), weights_only=True))
    assert_same(loaded(numtorch, tb), build(torch))


def test_views_share_storage_in_both_libraries():
    def build(lib):
        x = lib.arange(24.).reshape(4, 6)
        return {'x': x, 'row': x[1], 'col': x[:, 2], 't': x.t(), 'step': x[::2, 1::3],
                'flat': x.view(-1)[5:9], 'exp': lib.arange(3.).expand(4, 3)}
    nb, tb = saved(numtorch, build(numtorch)), saved(torch, build(torch))
    t = torch.load(io.BytesIO(nb))
    assert_same(loaded(numtorch, tb), build(torch))
    assert_same(loaded(numtorch, nb), t)
    ptr = t['x'].untyped_storage().data_ptr()
    assert all(t[k].untyped_storage().data_ptr() == ptr for k in ('row', 'col', 't', 'step'))
    assert t['col'].stride() == (6,) and t['step'].stride() == (12, 3)
    t['x'][1, 2] = -7
    assert t['row'][2] == -7 and t['col'][1] == -7
    n = loaded(numtorch, tb)
    n['x'][1, 2] = -7
    assert n['row'][2].item() == -7 and n['col'][1].item() == -7 and n['t'][2, 1].item() == -7
    # Saving numtorch's loaded views again keeps them one storage, as torch does.
    def records(data):
        import zipfile
        return sum('/data/' in r for r in zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert records(saved(numtorch, n)) == records(saved(torch, torch.load(io.BytesIO(tb)))) == 2


def test_flipped_and_misaligned_views_are_saved_as_copies():
    x = numtorch.arange(6.)
    flipped = x.flip(0)
    n = loaded(numtorch, saved(numtorch, [x, flipped]))
    t = torch.load(io.BytesIO(saved(numtorch, [x, flipped])))
    assert n[1].tolist() == t[1].tolist() == [5., 4., 3., 2., 1., 0.]
    with pytest.raises(RuntimeError, match='view the same data as different types'):
        saved(numtorch, [x, numtorch.from_numpy(x.numpy().view(np.int32))])
    t = torch.arange(6.)
    with pytest.raises(RuntimeError, match='view the same data as different types'):
        saved(torch, [t, t.view(torch.int32)])


def test_grad_flags_parameters_and_nested_containers():
    def build(lib):
        w = lib.ones(2, requires_grad=True)
        return {'leaf': w, 'nonleaf': w * 2, 'param': lib.nn.Parameter(lib.arange(3.)),
                'frozen': lib.nn.Parameter(lib.ones(1), requires_grad=False),
                'nest': [(1, 2.5, 'a', None, True, b'x'), {'k': [lib.tensor([1, 2])]}],
                'od': collections.OrderedDict(a=lib.zeros(1)), 'size': lib.Size([2, 3]),
                'dtype': lib.float16, 'dev': lib.device('cpu'), 'set': {1, 2},
                'big': 2 ** 70, 'neg': -5, 'f': 1e-300}
    nb, tb = saved(numtorch, build(numtorch)), saved(torch, build(torch))
    assert nb == tb
    n, t = loaded(numtorch, tb), torch.load(io.BytesIO(nb))
    assert_same(n, t)
    assert isinstance(n['param'], numtorch.nn.Parameter) and n['param'].requires_grad
    assert not n['frozen'].requires_grad and isinstance(n['size'], numtorch.Size)
    assert n['dtype'] is numtorch.float16 and n['nonleaf'].is_leaf


# -- networks, optimizers, whole modules ----------------------------------------------------
class _Nets:
    @staticmethod
    def regression(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = lib.nn.Linear(1, 10)
                self.predict = lib.nn.Linear(10, 1)
        return Net()

    @staticmethod
    def sequential(lib):
        return lib.nn.Sequential(lib.nn.Linear(2, 10), lib.nn.ReLU(), lib.nn.Linear(10, 2))

    @staticmethod
    def cnn(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = lib.nn.Conv2d(1, 10, kernel_size=5)
                self.conv2 = lib.nn.Conv2d(10, 20, kernel_size=5)
                self.pooling = lib.nn.MaxPool2d(2)
                self.fc = lib.nn.Linear(320, 10)
        return Net()

    @staticmethod
    def rnn(lib):
        return lib.nn.RNN(input_size=4, hidden_size=2, num_layers=1, batch_first=True)


@pytest.mark.parametrize('kind', ['regression', 'sequential', 'cnn', 'rnn'])
def test_seed_network_state_dicts(kind):
    build = getattr(_Nets, kind)
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    nnet, tnet = build(numtorch), build(torch)
    nb, tb = saved(numtorch, nnet.state_dict()), saved(torch, tnet.state_dict())
    assert nb == tb
    sd = loaded(numtorch, tb)
    assert_same(sd, tnet.state_dict())
    fresh = build(numtorch)
    assert str(fresh.load_state_dict(sd)) == '<All keys matched successfully>'
    tfresh = build(torch)
    tfresh.load_state_dict(torch.load(io.BytesIO(nb)))
    assert_same(fresh.state_dict(), tfresh.state_dict())


@pytest.mark.parametrize('opt', ['SGD', 'Adam'])
def test_optimizer_state_dicts(opt):
    def build(lib):
        lib.manual_seed(0)
        net = _Nets.sequential(lib)
        kw = {'momentum': 0.9} if opt == 'SGD' else {}
        o = getattr(lib.optim, opt)(net.parameters(), lr=0.1, **kw)
        for _ in range(2):
            o.zero_grad()
            net(lib.ones(3, 2)).pow(2).sum().backward()
            o.step()
        return net, o
    (nnet, nopt), (tnet, topt) = build(numtorch), build(torch)
    nb, tb = saved(numtorch, nopt.state_dict()), saved(torch, topt.state_dict())
    # Same layout; the values agree to float32 rounding after two training steps.
    assert _record(nb, 'data.pkl') == _record(tb, 'data.pkl')
    n, t = loaded(numtorch, tb), torch.load(io.BytesIO(nb))
    assert_same(n, topt.state_dict())
    for k, st in nopt.state_dict()['state'].items():
        for name, v in st.items():
            np.testing.assert_allclose(t['state'][k][name].numpy(), v.numpy(), rtol=1e-5)
    nopt.load_state_dict(loaded(numtorch, tb))
    topt.load_state_dict(torch.load(io.BytesIO(nb)))
    for lib, net, o in ((numtorch, nnet, nopt), (torch, tnet, topt)):
        o.zero_grad()
        net(lib.ones(3, 2)).pow(2).sum().backward()
        o.step()
    for (k, a), b in zip(nnet.state_dict().items(), tnet.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def _record(data: bytes, name: str) -> bytes:
    import zipfile
    return zipfile.ZipFile(io.BytesIO(data)).read(f'archive/{name}')


def _user_module(lib, name: str):
    """A module ``name`` holding a user network class ``Net`` built on ``lib``."""
    mod = types.ModuleType(name)
    src = textwrap.dedent('''
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = lib.nn.Linear(1, 10)
                self.predict = lib.nn.Linear(10, 1)

            def forward(self, x):
                return self.predict(lib.relu(self.hidden(x)))
    ''')
    exec(src, {'lib': lib, '__name__': name}, mod.__dict__)
    return mod


@pytest.mark.parametrize('direction', ['numtorch->torch', 'torch->numtorch'])
def test_whole_pickled_modules(direction, monkeypatch):
    src_lib, dst_lib = (numtorch, torch) if direction == 'numtorch->torch' else (torch, numtorch)
    name = f'nt_user_models_{uuid.uuid4().hex}'
    monkeypatch.setitem(sys.modules, name, _user_module(src_lib, name))
    src_lib.manual_seed(1)
    net = sys.modules[name].Net()
    seq = _Nets.sequential(src_lib)
    data = saved(src_lib, {'net': net, 'seq': seq})
    # The loading side has its own Net class under the same name, as a user script would.
    sys.modules[name] = _user_module(dst_lib, name)
    with pytest.raises(pickle.UnpicklingError, match='Weights only load failed'):
        loaded(dst_lib, data)
    got = dst_lib.load(io.BytesIO(data), weights_only=False)
    assert isinstance(got['net'], sys.modules[name].Net)
    assert isinstance(got['seq'], dst_lib.nn.Sequential) and repr(got['seq']) == repr(seq)
    x = [[0.5], [-1.0]]
    out = got['net'](dst_lib.tensor(x))
    ref = net(src_lib.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-6)
    y = got['seq'](dst_lib.ones(1, 2))
    np.testing.assert_allclose(y.detach().numpy(), seq(src_lib.ones(1, 2)).detach().numpy(),
                               rtol=1e-6)


def test_legacy_format_both_ways():
    def build(lib):
        x = lib.arange(6.)
        return {'x': x, 'v': x[2:5], 'p': lib.nn.Parameter(lib.ones(2)), 'i': lib.tensor(7),
                'b': lib.tensor([True])}
    tb = saved(torch, build(torch), _use_new_zipfile_serialization=False)
    nb = saved(numtorch, build(numtorch), _use_new_zipfile_serialization=False)
    assert not tb.startswith(b'PK') and not nb.startswith(b'PK')
    for data in (tb, nb):
        n = loaded(numtorch, data)
        assert_same(n, build(torch))
        n['x'][3] = -1
        assert n['v'][1].item() == -1
        assert_same(loaded(numtorch, data, weights_only=False), build(torch))
        t = torch.load(io.BytesIO(data))
        assert_same(n, t | {'x': t['x'].clone().index_fill_(0, torch.tensor([3]), -1),
                            'v': t['v'].clone().index_fill_(0, torch.tensor([1]), -1)})


def test_paths_pathlib_and_open_files(tmp_path):
    x = numtorch.arange(5)
    numtorch.save(x, str(tmp_path / 'a.pt'))
    numtorch.save(x, tmp_path / 'b.pth')
    with open(tmp_path / 'c.bin', 'wb') as fh:
        numtorch.save(x, fh)
    (tmp_path / 'torch').mkdir()
    torch.save(torch.arange(5), tmp_path / 'torch' / 'a.pt')
    # The archive folder is named after the file, as PyTorch names it.
    assert (tmp_path / 'a.pt').read_bytes() == (tmp_path / 'torch' / 'a.pt').read_bytes()
    for f in ('a.pt', 'b.pth', 'c.bin'):
        assert torch.load(tmp_path / f).tolist() == [0, 1, 2, 3, 4]
        with open(tmp_path / f, 'rb') as fh:
            assert numtorch.load(fh).tolist() == [0, 1, 2, 3, 4]
    assert os.stat(tmp_path / 'a.pt').st_mode == os.stat(tmp_path / 'torch' / 'a.pt').st_mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ['a.pt', 'b.pth', 'c.bin', 'torch']


def test_mmap_load(tmp_path):
    p = tmp_path / 'm.pt'
    w = torch.arange(10.)
    torch.save({'w': w, 'v': w[3:6]}, p)
    m = numtorch.load(p, mmap=True)
    assert m['w'].tolist() == list(map(float, range(10))) and m['v'].tolist() == [3., 4., 5.]
    m['w'][4] = 100.0
    assert m['v'][1].item() == 100.0
    assert torch.load(p)['w'][4].item() == 4.0  # copy-on-write: the file is unchanged
    with pytest.raises(ValueError, match='f must be a file path in order to use the mmap'):
        numtorch.load(io.BytesIO(p.read_bytes()), mmap=True)


def test_map_location():
    data = saved(torch, {'a': torch.arange(3.)})
    for ml in ('cpu', torch.device('cpu'), {'cpu': 'cpu'}, lambda s, loc: s, lambda s, loc: None):
        ml = numtorch.device('cpu') if isinstance(ml, torch.device) else ml
        assert loaded(numtorch, data, map_location=ml)['a'].tolist() == [0., 1., 2.]
    seen = []
    loaded(numtorch, data, map_location=lambda s, loc: seen.append((type(s), loc)))
    assert seen == [(numtorch.UntypedStorage, 'cpu')]
    for t_ml, n_ml in (('cuda', 'cuda'), ({'cpu': 'cuda:1'}, {'cpu': 'cuda:1'}),
                       (torch.device('cuda:0'), numtorch.device('cuda:0')), ('foo', 'foo')):
        with pytest.raises(RuntimeError) as ti:
            torch.load(io.BytesIO(data), map_location=t_ml)
        with pytest.raises(RuntimeError) as ni:
            loaded(numtorch, data, map_location=n_ml)
        assert str(ni.value) == str(ti.value)


def _rezip(data: bytes, edit) -> bytes:
    """The archive with data.pkl passed through ``edit`` (and every other record kept)."""
    import zipfile
    z = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    zw = Z._ZipWriter(out.write, 'archive')
    for info in z.infolist():
        name = info.filename.split('/', 1)[1]
        if name in ('version', '.data/serialization_id'):
            continue
        rec = z.read(info)
        if name == 'data.pkl':
            rec = edit(rec)
        zw.write_record(name, rec, len(rec))
    zw.write_end_of_file()
    return out.getvalue()


def test_cuda_tagged_storages_need_map_location():
    data = saved(torch, torch.arange(3.))
    cuda = _rezip(data, lambda p: p.replace(b'X\x03\x00\x00\x00cpu', b'X\x06\x00\x00\x00cuda:0'))
    with pytest.raises(RuntimeError) as ti:
        torch.load(io.BytesIO(cuda))
    with pytest.raises(RuntimeError) as ni:
        loaded(numtorch, cuda)
    assert str(ni.value) == str(ti.value)
    assert loaded(numtorch, cuda, map_location='cpu').tolist() == [0., 1., 2.]
    assert loaded(numtorch, cuda, map_location={'cuda:0': 'cpu'}).tolist() == [0., 1., 2.]


def test_big_endian_records_are_byteswapped():
    import zipfile
    src = saved(torch, {'a': torch.tensor([1.5, -2.0]),
                        'b': torch.tensor([1, 256], dtype=torch.int32)})
    z = zipfile.ZipFile(io.BytesIO(src))
    out = io.BytesIO()
    zw = Z._ZipWriter(out.write, 'archive')
    for info in z.infolist():
        name = info.filename.split('/', 1)[1]
        rec = z.read(info)
        if name in ('version', '.data/serialization_id'):
            continue
        if name == 'byteorder':
            rec = b'big'
        if name == 'data/0':
            rec = np.frombuffer(rec, '<f4').astype('>f4').tobytes()
        if name == 'data/1':
            rec = np.frombuffer(rec, '<i4').astype('>i4').tobytes()
        zw.write_record(name, rec, len(rec))
    zw.write_end_of_file()
    assert_same(loaded(numtorch, out.getvalue()), torch.load(io.BytesIO(out.getvalue())))
    assert loaded(numtorch, out.getvalue())['b'].tolist() == [1, 256]


def test_zip64_records(monkeypatch):
    monkeypatch.setattr(Z, '_ZIP64_LIMIT', 200)
    obj = {'big': numtorch.arange(100, dtype=numtorch.int64), 'small': numtorch.ones(3)}
    data = saved(numtorch, obj)
    t = torch.load(io.BytesIO(data))
    assert t['big'].tolist() == list(range(100)) and t['small'].tolist() == [1.0] * 3
    assert loaded(numtorch, data)['big'].tolist() == list(range(100))


# -- weights_only ---------------------------------------------------------------------------
class _Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f'touch {self.path}',))


@pytest.mark.parametrize('fmt', ['zip', 'legacy', 'plain pickle'])
def test_malicious_pickle_is_refused_and_nothing_runs(fmt, tmp_path):
    marker = pathlib.Path(f'/tmp/pwned-{uuid.uuid4().hex}')
    evil = {'x': _Evil(marker), 'w': torch.ones(2)}
    if fmt == 'plain pickle':
        data = pickle.dumps(evil, protocol=2)
    else:
        data = saved(torch, evil, _use_new_zipfile_serialization=fmt == 'zip')
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError) as ti:
        torch.load(io.BytesIO(data))
    with pytest.raises(pickle.UnpicklingError) as ni:
        loaded(numtorch, data)
    assert str(ni.value) == str(ti.value)
    assert 'GLOBAL posix.system' in str(ni.value) or 'GLOBAL os.system' in str(ni.value)
    with pytest.raises(pickle.UnpicklingError):
        numtorch.load(io.BytesIO(data), weights_only=True)
    assert not marker.exists()


Point = collections.namedtuple('Point', 'x y')


def _outcome(fn):
    try:
        return ('ok', fn())
    except Exception as e:
        return (type(e).__name__, str(e))


def test_weights_only_refusals_match_torch():
    # Plain pickles go down the legacy path: the first object must be the magic number.
    cases = [pickle.dumps(b, protocol=2) for b in (
        [eval], Point(1, 2), {1: range(3)}, [complex(1, 2), bytearray(b'ab'), {3}],
        S.MAGIC_NUMBER)]
    for data in cases:
        t = _outcome(lambda: torch.load(io.BytesIO(data)))
        n = _outcome(lambda: loaded(numtorch, data))
        assert n == t and t[0] != 'ok'


@pytest.mark.parametrize('how', ['add', 'context', 'tuple'])
def test_safe_globals(how):
    data = saved(numtorch, {'c': collections.Counter(a=1), 'fr': frozenset([1])})
    with pytest.raises(pickle.UnpicklingError, match='GLOBAL frozenset was not an allowed'):
        loaded(numtorch, data)
    try:
        if how == 'add':
            numtorch.serialization.add_safe_globals([frozenset])
            assert numtorch.serialization.get_safe_globals() == [frozenset]
            got = loaded(numtorch, data)
        elif how == 'tuple':
            numtorch.serialization.add_safe_globals([(frozenset, 'builtins.frozenset')])
            got = loaded(numtorch, data)
        else:
            with numtorch.serialization.safe_globals([frozenset]):
                got = loaded(numtorch, data)
            assert numtorch.serialization.get_safe_globals() == []
    finally:
        numtorch.serialization.clear_safe_globals()
    assert got == {'c': collections.Counter(a=1), 'fr': frozenset([1])}


# -- bad input ------------------------------------------------------------------------------
def test_bad_files_fail_like_torch(tmp_path):
    good = saved(torch, torch.ones(3))
    cases = [b'', b'garbage garbage garbage', b'PK\x03\x04trunc', good[:len(good) // 2],
             good[:-10], good[:100], b'\x80\x02}q\x00.']
    for data in cases:
        for wo in (True, False):
            with pytest.raises(Exception) as ti:
                torch.load(io.BytesIO(data), weights_only=wo)
            with pytest.raises(type(ti.value)) as ni:
                loaded(numtorch, data, weights_only=wo)
            assert str(ni.value) == str(ti.value), data[:20]
    p = tmp_path / 'trunc.pt'
    p.write_bytes(good[:len(good) // 2])
    with pytest.raises(RuntimeError, match='failed finding central directory'):
        numtorch.load(p)
    with pytest.raises(FileNotFoundError):
        numtorch.load(tmp_path / 'missing.pt')


def test_bad_save_targets_fail_like_torch(tmp_path):
    missing = tmp_path / 'no_such_dir' / 'x.pt'
    for target in (str(missing), str(tmp_path / '.pt'), str(tmp_path) + '/'):
        with pytest.raises(RuntimeError) as ti:
            torch.save(torch.ones(1), target)
        with pytest.raises(RuntimeError) as ni:
            numtorch.save(numtorch.ones(1), target)
        assert str(ti.value).endswith(str(ni.value))
    assert not missing.parent.exists() and list(tmp_path.iterdir()) == []
    for lib in (torch, numtorch):
        with pytest.raises(AttributeError, match="expected 'f' to be string, path, or a file"):
            lib.save(lib.ones(1), 3)

    class NoSeek(io.RawIOBase):
        def read(self, n=-1):
            return b''
    with pytest.raises(io.UnsupportedOperation) as ti:
        torch.load(NoSeek())
    with pytest.raises(io.UnsupportedOperation) as ni:
        numtorch.load(NoSeek())
    assert str(ni.value) == str(ti.value)


def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch):
    p = tmp_path / 'ckpt.pt'
    numtorch.save({'v': numtorch.ones(3)}, p)
    before = p.read_bytes()

    def broken(self, name, data, size):
        if name.startswith('data/'):
            raise OSError('disk full')
        return original(self, name, data, size)
    original = Z._ZipWriter.write_record
    monkeypatch.setattr(Z._ZipWriter, 'write_record', broken)
    with pytest.raises(OSError, match='disk full'):
        numtorch.save({'v': numtorch.zeros(1000)}, p)
    assert p.read_bytes() == before and [f.name for f in tmp_path.iterdir()] == ['ckpt.pt']


KILL_SCRIPT = textwrap.dedent('''
    import sys, time
    import numtorch
    import numtorch._zip as Z
    original = Z._ZipWriter.write_record

    def slow(self, name, data, size):
        original(self, name, data, size)
        if name == 'data/0':
            print('midway', flush=True)
            time.sleep(60)
    Z._ZipWriter.write_record = slow
    numtorch.save({'w': numtorch.zeros(1 << 20)}, sys.argv[1])
''')


def test_killed_save_keeps_the_old_file(tmp_path):
    p = tmp_path / 'ckpt.pt'
    numtorch.save({'w': numtorch.ones(4)}, p)
    before = p.read_bytes()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, '-c', KILL_SCRIPT, str(p)], stdout=subprocess.PIPE,
                            env=env, text=True)
    try:
        assert proc.stdout.readline().strip() == 'midway'
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert p.read_bytes() == before
    assert torch.load(p)['w'].tolist() == [1.0] * 4
    # A hidden partial file may remain where the OS has no unnamed temporaries; it is
    # never the checkpoint and the next save removes it.
    leftovers = [f.name for f in tmp_path.iterdir() if f.name != 'ckpt.pt']
    assert all(n.startswith('.ckpt.pt.') and n.endswith('.tmp') for n in leftovers)
    numtorch.save({'w': numtorch.zeros(2)}, p)
    assert [f.name for f in tmp_path.iterdir()] == ['ckpt.pt']


@pytest.mark.parametrize('setting, synced', [(None, False), ('0', False), ('1', True)])
def test_saves_sync_to_disk_only_when_asked(tmp_path, monkeypatch, setting, synced):
    """Like PyTorch's, a save does not wait for the disk unless NUMTORCH_SYNC_SAVES=1
    asks it to: then the file is synced before its rename and the directory after it."""
    calls = []
    monkeypatch.setattr(S, '_sync', lambda fd: calls.append(('file', os.path.exists(p))))
    monkeypatch.setattr(S, '_fsync_dir', lambda d: calls.append(('dir', os.path.exists(p))))
    if setting is None:
        monkeypatch.delenv('NUMTORCH_SYNC_SAVES', raising=False)
    else:
        monkeypatch.setenv('NUMTORCH_SYNC_SAVES', setting)
    p = tmp_path / 'ckpt.pt'
    big = numtorch.arange(float(1 << 19))  # 2 MiB: its CRC is computed in a second thread
    numtorch.save({'w': big}, p)
    assert calls == ([('file', False), ('dir', True)] if synced else [])
    (tmp_path / 'torch').mkdir()
    q = tmp_path / 'torch' / 'ckpt.pt'
    torch.save({'w': torch.arange(float(1 << 19))}, q)
    assert p.read_bytes() == q.read_bytes()


def test_plain_pickle_of_tensors():
    x = numtorch.arange(6.).reshape(2, 3).t()
    w = numtorch.ones(2, requires_grad=True)
    p = numtorch.nn.Parameter(numtorch.zeros(2))
    a, b, c = pickle.loads(pickle.dumps((x, w, p)))
    assert a.tolist() == x.tolist() and b.requires_grad and type(c) is numtorch.nn.Parameter


def test_untyped_storage_of_tensors():
    for lib in (numtorch, torch):
        x = lib.arange(12, dtype=lib.int16).reshape(3, 4)
        s, v = x.untyped_storage(), x[1:, ::2].untyped_storage()
        assert (s.nbytes(), s.size(), len(s), s.element_size()) == (24, 24, 24, 1)
        assert v.data_ptr() == s.data_ptr() and v.nbytes() == 24
        assert lib.zeros(0).untyped_storage().data_ptr() == 0
    n = numtorch.arange(3, dtype=numtorch.uint8).untyped_storage()
    t = torch.arange(3, dtype=torch.uint8).untyped_storage()
    assert repr(n) == repr(t) and n.tolist() == t.tolist() and n[1] == t[1]
    assert repr(numtorch.UntypedStorage(0)) == repr(torch.UntypedStorage(0))
