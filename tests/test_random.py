"""numtorch's random numbers against PyTorch's: same seed, same calls, same bits."""
from __future__ import annotations

import pickle
import struct
import warnings

import numpy as np
import pytest
import torch

import numtorch
from numtorch._ops import _random_kernels as K

LIBS = (torch, numtorch)


def _np(t) -> np.ndarray:
    return t.detach().numpy() if isinstance(t, torch.Tensor) else t._data


def same(a, b) -> None:
    """Bitwise equality of a numtorch and a torch tensor (dtype, shape and every bit)."""
    x, y = _np(a), _np(b)
    assert str(a.dtype) == str(b.dtype), (a.dtype, b.dtype)
    assert x.shape == y.shape, (x.shape, y.shape)
    if x.dtype.kind == 'f':
        xb, yb = x.view(f'u{x.itemsize}'), y.view(f'u{y.itemsize}')
        bad = np.flatnonzero(xb != yb)
        if bad.size and K.CPU_KERNEL != 'avx2':
            # PyTorch's scalar float32 normal kernel calls glibc's logf/cosf/sinf, which
            # are not always correctly rounded; numtorch matches them within an ulp or two.
            eps = np.finfo(np.float16 if x.dtype == np.float16 else np.float32).eps
            np.testing.assert_allclose(x, y, rtol=4 * eps, atol=1e-6)
            return
        assert bad.size == 0, (f'{bad.size}/{x.size} differ, first at {bad[:5]}: '
                               f'{x.ravel()[bad[:5]]} vs {y.ravel()[bad[:5]]}')
    else:
        np.testing.assert_array_equal(x, y)


def run(fn, seed: int = 0):
    """``fn(lib, gen)`` for torch and numtorch after the same seed; ``gen`` is None (the
    default generator) or, for odd seeds, a seeded Generator object."""
    out = []
    for lib in LIBS:
        if seed % 2:
            gen = lib.Generator().manual_seed(seed)
        else:
            lib.manual_seed(seed)
            gen = None
        out.append(fn(lib, gen))
    return out


def check(fn, seed: int = 0) -> None:
    ref, got = run(fn, seed)
    if isinstance(ref, (tuple, list)):
        assert len(ref) == len(got)
        for r, g in zip(ref, got):
            same(g, r)
    else:
        same(got, ref)


def dt(lib, name: str):
    return getattr(lib, name)


# -- uniform -------------------------------------------------------------------------
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16'])
@pytest.mark.parametrize('seed', [0, 7])
def test_rand(dtype, seed):
    check(lambda m, g: m.rand(3, 17, dtype=dt(m, dtype), generator=g), seed)
    check(lambda m, g: [m.rand(5, dtype=dt(m, dtype), generator=g), m.rand(()), m.rand([2, 3])],
          seed)


def test_rand_like_and_size_forms():
    check(lambda m, g: [m.rand_like(m.zeros(4, 5, dtype=m.float64)),
                        m.rand(m.Size([2, 3])), m.rand(size=(3,)), m.rand(0)])


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16'])
@pytest.mark.parametrize('a,b', [(-0.3, 0.7), (2.0, 2.5), (-1e-3, 1e-3), (0.0, 1.0),
                                 (-5.0, 123.0), (1.0, 1.0)])
def test_uniform_(dtype, a, b):
    check(lambda m, g: m.empty(50, dtype=dt(m, dtype)).uniform_(a, b, generator=g), 3)
    check(lambda m, g: m.empty(7, 3, dtype=dt(m, dtype)).uniform_(a, b))


def test_uniform_noncontiguous_fills_memory_order():
    check(lambda m, g: m.empty(6, 5).t().uniform_(-1, 1))
    check(lambda m, g: m.empty(4, 6)[:, ::2].uniform_())


def test_nn_init_bits():
    def init(m, g):
        w = m.empty(64, 33)
        b = m.empty(20, 10, 3, 3)
        with m.no_grad():
            m.nn.init.kaiming_uniform_(w, a=5 ** 0.5)
            m.nn.init.xavier_uniform_(b)
            m.nn.init.normal_(m.empty(40), 0.0, 0.02)
        lin = m.nn.Linear(13, 7)
        return [w, b, lin.weight, lin.bias]
    check(init)
    check(lambda m, g: m.nn.init.kaiming_normal_(m.empty(30, 20)))


# -- normal --------------------------------------------------------------------------
@pytest.mark.parametrize('seed', [0, 1, 12345])
def test_randn_sizes(seed):
    check(lambda m, g: [m.randn(n, generator=g) for n in range(1, 41)], seed)


@pytest.mark.parametrize('dtype', ['float64', 'float16'])
def test_randn_sizes_other_dtypes(dtype):
    check(lambda m, g: [m.randn(n, dtype=dt(m, dtype), generator=g) for n in range(1, 41)])


def test_randn_shapes_and_large():
    check(lambda m, g: [m.randn(3, 4, 5), m.randn(()), m.randn(2, 0), m.randn([16])])
    check(lambda m, g: m.randn(16 * 997 + 5))
    check(lambda m, g: m.randn(16 * 201 + 9, dtype=m.float64), 5)
    check(lambda m, g: m.randn_like(m.zeros(7, 9, dtype=m.float16)))


def _untemper(y: np.ndarray) -> np.ndarray:
    """The mt19937 state words whose tempered outputs are ``y``."""
    y = y.astype(np.uint64) & 0xFFFFFFFF
    y ^= y >> 18
    y ^= (y << 15) & 0xEFC60000
    r = y.copy()
    for _ in range(5):
        r = y ^ ((r << 7) & 0x9D2C5680)
    y = r & 0xFFFFFFFF
    r = y.copy()
    for _ in range(3):
        r = y ^ (r >> 11)
    return r & 0xFFFFFFFF


def _torch_state_emitting(words: np.ndarray) -> torch.Tensor:
    """A PyTorch generator state whose next (up to 623) outputs are ``words``."""
    key = np.zeros(624, np.uint64)
    key[:words.size] = _untemper(words)
    buf = bytearray(5056)
    struct.pack_into('<QiiQ', buf, 0, 0, 624, 1, 0)
    buf[24:24 + 624 * 8] = key.astype('<u8').tobytes()
    return torch.frombuffer(buf, dtype=torch.uint8).clone()


@pytest.mark.parametrize('mean,std', [(0.0, 1.0), (0.5, 2.0), (-3.0, 0.01)])
def test_normal_kernel_on_chosen_uniforms(mean, std):
    """PyTorch's float32 Box-Muller block fed uniforms of our choosing (edge cases: 0,
    the largest uniform, angles at the sin/cos octant switches, and random ones) against
    the emulation. (A one-off run of this over all 2**24 uniforms found no difference.)"""
    if K.CPU_KERNEL != 'avx2':
        pytest.skip('PyTorch runs its scalar normal kernel on this CPU')
    top = (1 << 24) - 1
    octants = [k * (1 << 21) + d for k in range(1, 8) for d in (-1, 0, 1)]
    special = np.array([0, 1, 2, top, top - 1, top - 2, 1 << 23, 3 << 22] + octants, np.uint64)
    rng = np.random.default_rng(0)
    for rep in range(12):
        words = rng.integers(0, 1 << 32, 38 * 16, dtype=np.uint64)
        if rep == 0:
            words[:special.size] = special
            words[304:304 + special.size] = special
        torch.set_rng_state(_torch_state_emitting(words))
        ref = torch.empty(38 * 16).normal_(mean, std)
        u = (words & 0xFFFFFF).astype(np.float32) * np.float32(2.0 ** -24)
        got = K.normal_fill_avx2(u.reshape(-1, 16), mean, std).reshape(-1)
        same(torch.from_numpy(got), ref)


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16'])
@pytest.mark.parametrize('n', [5, 16, 37, 300])
def test_normal_inplace(dtype, n):
    check(lambda m, g: m.empty(n, dtype=dt(m, dtype)).normal_(0.3, 1.7, generator=g), 1)
    check(lambda m, g: m.empty(n, dtype=dt(m, dtype)).normal_(-2.0, 1.0))
    check(lambda m, g: m.empty(n, dtype=dt(m, dtype)).normal_(0.0, 0.02))


def test_normal_noncontiguous_uses_scalar_path():
    check(lambda m, g: [m.empty(8, 5).t().normal_(), m.randn(3), m.empty(40)[::2].normal_(1, 2)])


def test_normal_overloads():
    def f(m, g):
        mean = m.arange(20, dtype=m.float32).reshape(4, 5) / 7
        std = m.linspace(0.1, 2.0, 20).reshape(4, 5)
        return [m.normal(mean, std, generator=g), m.normal(mean, 0.5, generator=g),
                m.normal(mean), m.normal(1.5, std, generator=g), m.normal(2.0, 3.0, (3, 7)),
                m.normal(2.0, 3.0, size=(40,), generator=g, dtype=m.float64),
                m.normal(mean[:1], std), m.normal(m.zeros(3, dtype=m.float64), 1.0),
                m.normal(-1.0, std.double()), m.normal(mean, std.double())]
    check(f)
    check(f, 9)


def test_normal_out():
    check(lambda m, g: m.normal(0.0, 1.0, (20,), out=m.empty(20)))
    check(lambda m, g: m.normal(m.zeros(5), 2.0, out=m.empty(5)))


# -- interleaving and the cached normal ---------------------------------------------------
def test_interleaved_stream():
    def f(m, g):
        return [m.rand(3, generator=g), m.randn(5, generator=g), m.randn(20, generator=g),
                m.randint(0, 10, (4,), generator=g), m.randperm(10, generator=g),
                m.randn(3, generator=g), m.empty(2).normal_(generator=g),
                m.rand(1, dtype=m.float64, generator=g), m.randn(1, generator=g),
                m.empty(33).normal_(generator=g), m.randn(1, generator=g),
                m.bernoulli(m.full((6,), 0.4), generator=g),
                m.empty(5).exponential_(generator=g), m.randn(2, generator=g)]
    check(f)
    check(f, 11)


def test_manual_seed_resets_normal_cache():
    def f(m, g):
        m.randn(1)  # leaves a cached value behind
        m.manual_seed(42)
        return m.randn(3)
    check(f)
    g1 = numtorch.Generator().manual_seed(5)
    numtorch.randn(1, generator=g1)
    g1.manual_seed(5)
    same(numtorch.randn(4, generator=g1),
         torch.randn(4, generator=torch.Generator().manual_seed(5)))


# -- integers ------------------------------------------------------------------------
@pytest.mark.parametrize('low,high', [(0, 10), (-7, 3), (0, 2 ** 28 - 1), (0, 2 ** 28),
                                      (5, 2 ** 31), (-2 ** 40, 2 ** 33), (0, 2 ** 62),
                                      (-2 ** 63, 2 ** 63 - 1), (3, 4)])
def test_randint_ranges(low, high):
    check(lambda m, g: m.randint(low, high, (50,), generator=g), 1)
    check(lambda m, g: m.randint(low, high, (3, 4)))


@pytest.mark.parametrize('dtype,low,high', [('int8', -100, 100), ('uint8', 0, 256),
                                            ('int16', -300, 20000), ('int32', -5, 2 ** 31 - 1),
                                            ('float32', -3, 2 ** 20), ('float64', 0, 2 ** 50),
                                            ('float16', -1000, 2000), ('bool', 0, 2)])
def test_randint_dtypes(dtype, low, high):
    check(lambda m, g: m.randint(low, high, (40,), dtype=dt(m, dtype), generator=g), 3)


def test_randint_forms_and_like():
    check(lambda m, g: [m.randint(7, (5,)), m.randint(3, 9, size=(2, 2)),
                        m.randint(10, size=(3,)), m.randint(low=2, high=5, size=[4]),
                        m.randint_like(m.zeros(3, 2), 10),
                        m.randint_like(m.zeros(4, dtype=m.int8), -3, 3),
                        m.randint(0, 5, (6,), out=m.empty(6, dtype=m.int64))])


def test_random_inplace_default_ranges():
    for name in ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'float32',
                 'float64']:
        check(lambda m, g: m.empty(30, dtype=dt(m, name)).random_(generator=g), 5)


def test_random_inplace_bounds():
    def f(m, g):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            return [m.empty(20).random_(10), m.empty(20, dtype=m.int16).random_(-5, 5),
                    m.empty(20, dtype=m.int64).random_(3, None),
                    m.empty(20, dtype=m.int64).random_(-2 ** 63, None),
                    m.empty(20, dtype=m.int8).random_(-128, None),
                    m.empty(20, dtype=m.float16).random_(0, 3000),
                    m.empty(20).random_(2 ** 25, 2 ** 25 + 1),
                    m.empty(20, dtype=m.float64).random_(-2 ** 60, 2 ** 61),
                    m.empty(20).random_(5, None), m.empty(20, dtype=m.bool).random_(0, 2),
                    m.empty(5, 4).t().random_(100), m.empty(10, dtype=m.uint8).random_(to=7)]
    check(f)


def test_random_float_bound_warning():
    with pytest.warns(UserWarning, match=r'to - 1 is out of bounds \[-\(2\^11\), 2\^11\]'):
        numtorch.empty(3, dtype=numtorch.float16).random_(0, 3000)


# -- randperm ------------------------------------------------------------------------
@pytest.mark.parametrize('n', [0, 1, 2, 3, 10, 255, 256, 257, 1000, 100_000])
def test_randperm(n):
    check(lambda m, g: m.randperm(n, generator=g), 1)
    check(lambda m, g: m.randperm(n))


@pytest.mark.parametrize('dtype,n', [('int32', 500), ('int16', 300), ('int8', 128),
                                     ('uint8', 256), ('float32', 1000), ('float16', 2049),
                                     ('float64', 100)])
def test_randperm_dtypes(dtype, n):
    check(lambda m, g: m.randperm(n, dtype=dt(m, dtype)))


def test_randperm_matches_swap_loop():
    rng = np.random.default_rng(0)
    for n in (2, 3, 5, 40, 700):
        for _ in range(50):
            z = np.array([rng.integers(0, n - i) for i in range(n - 1)], np.int64)
            r = list(range(n))
            for i, zi in enumerate(z.tolist()):
                r[i], r[i + zi] = r[i + zi], r[i]
            np.testing.assert_array_equal(K.swap_permutation(z), r)


# -- bernoulli, exponential ----------------------------------------------------------
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int64', 'bool', 'uint8', 'float16'])
def test_bernoulli_scalar(dtype):
    check(lambda m, g: m.empty(40, dtype=dt(m, dtype)).bernoulli_(0.3, generator=g), 1)
    check(lambda m, g: [m.empty(40, dtype=dt(m, dtype)).bernoulli_(), m.empty(9).bernoulli_(1.0)])


@pytest.mark.parametrize('pdtype', ['float32', 'float64', 'float16'])
def test_bernoulli_tensor(pdtype):
    def f(m, g):
        p = m.linspace(0, 1, 30, dtype=dt(m, pdtype))
        return [m.bernoulli(p, generator=g), p.bernoulli(), m.bernoulli(p, 0.25),
                m.empty(3, 30, dtype=m.int64).bernoulli_(p), m.empty(30).bernoulli_(p)]
    check(f)
    check(f, 7)


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16'])
def test_exponential(dtype):
    check(lambda m, g: m.empty(3000, dtype=dt(m, dtype)).exponential_(generator=g), 1)
    check(lambda m, g: m.empty(50, dtype=dt(m, dtype)).exponential_(2.5))


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16', 'int64', 'uint8'])
def test_geometric(dtype):
    check(lambda m, g: m.empty(500, dtype=dt(m, dtype)).geometric_(0.3, generator=g), 1)
    check(lambda m, g: m.empty(9, 4, dtype=dt(m, dtype)).t().geometric_(0.01))


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16'])
def test_log_normal_and_cauchy(dtype):
    check(lambda m, g: [m.empty(300, dtype=dt(m, dtype)).log_normal_(generator=g), m.randn(3),
                        m.empty(5, dtype=dt(m, dtype)).log_normal_(0.5, 0.25)], 1)
    check(lambda m, g: [m.empty(300, dtype=dt(m, dtype)).cauchy_(generator=g),
                        m.empty(7, dtype=dt(m, dtype)).cauchy_(2.0, 0.5)])


# -- multinomial, poisson ------------------------------------------------------------
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16'])
def test_multinomial(dtype):
    def f(m, g):
        p = m.tensor([[0.1, 0.2, 0.3, 0.4, 0.0], [5.0, 1.0, 0.5, 3.0, 2.0]], dtype=dt(m, dtype))
        return [m.multinomial(p, 3, generator=g), m.multinomial(p, 5),
                m.multinomial(p, 1), m.multinomial(p, 1, True),
                m.multinomial(p, 20, replacement=True, generator=g),
                m.multinomial(p[1], 4), m.multinomial(p[0], 50, True),
                p.multinomial(2), m.multinomial(p.t().contiguous().t(), 2)]
    check(f)
    check(f, 3)


def test_multinomial_large_no_replacement():
    check(lambda m, g: m.multinomial(m.rand(4, 1000), 100))
    check(lambda m, g: m.multinomial(m.rand(3, 200, dtype=m.float64) ** 4, 500, True))


def test_multinomial_zero_probability_ties():
    """More samples than non-zero probabilities: the zero ones come out in the order of
    PyTorch's (unstable) topk."""
    check(lambda m, g: [m.multinomial(m.tensor([0., 1., 0., 0., 2., 0.]), 5) for _ in range(4)]
          + [m.multinomial(m.tensor([[0., 1., 0., 0., 2., 0.], [0.] * 5 + [1.]]), 6),
             m.multinomial((m.rand(3, 300) > 0.9).float(), 200),
             m.multinomial((m.rand(2, 2000) > 0.99).double(), 30)])


def test_topk_tie_order_matches_torch():
    rng = np.random.default_rng(0)
    for n in (1, 3, 5, 16, 17, 40, 64, 65, 129, 700):
        for trial in range(6):
            v = rng.integers(0, 1 + trial, n).astype(np.float32)
            if trial == 5:
                v[rng.integers(0, n, 1 + n // 10)] = np.nan
            for k in {min(2, n), max(1, n // 64), n // 2 or 1, n}:
                want = torch.topk(torch.from_numpy(v), k).indices.tolist()
                assert K.topk_largest_indices(v, k) == want, (n, k)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_poisson(dtype):
    def f(m, g):
        lam = m.tensor([0.0, 0.5, 3.0, 9.99, 10.0, 37.5, 1e3, 2.0, 150.0, 0.01],
                       dtype=dt(m, dtype))
        return [m.poisson(lam, generator=g), m.poisson(lam.reshape(2, 5)), m.rand(3)]
    check(f)
    check(f, 1)


# -- state, seeds, generators ----------------------------------------------------------
@pytest.mark.parametrize('seed', [0, 1, 2 ** 40 + 3, 2 ** 64 - 1])
def test_rng_state_bytes_equal_torch(seed):
    """After the same seed and draws, numtorch's state is PyTorch's state, byte for byte."""
    steps = [lambda m: None, lambda m: m.rand(1), lambda m: m.rand(622),
             lambda m: m.rand(1), lambda m: m.rand(1), lambda m: m.randn(1),
             lambda m: m.rand(624 * 2 - 1), lambda m: m.randn(1),
             lambda m: m.rand(1, dtype=m.float64)]
    torch.manual_seed(seed)
    numtorch.manual_seed(seed)
    for step in steps:
        step(torch)
        step(numtorch)
        same(numtorch.get_rng_state(), torch.get_rng_state())
    g = numtorch.Generator()
    assert np.array_equal(g.get_state()._data, torch.Generator().get_state().numpy())


def test_rng_state_round_trip_both_ways():
    torch.manual_seed(3)
    torch.randn(1)
    torch.rand(700)
    numtorch.set_rng_state(numtorch.tensor(torch.get_rng_state().numpy()))
    same(numtorch.randn(5), torch.randn(5))

    numtorch.manual_seed(9)
    numtorch.randn(3)
    torch.set_rng_state(torch.from_numpy(numtorch.get_rng_state()._data.copy()))
    torch.manual_seed(9)
    torch.randn(3)
    same(numtorch.randn(40), torch.randn(40))

    s = numtorch.get_rng_state()
    a = numtorch.rand(10)
    numtorch.set_rng_state(s)
    same(numtorch.rand(10), torch.from_numpy(a._data))
    assert numtorch.initial_seed() == 9


def test_generator_objects():
    g = numtorch.Generator()
    assert g.initial_seed() == 67280421310721 == torch.Generator().initial_seed()
    assert g.device == numtorch.device('cpu')
    same(numtorch.rand(5, generator=g), torch.rand(5, generator=torch.Generator()))
    assert g.manual_seed(-1).initial_seed() == 2 ** 64 - 1 == \
        torch.Generator().manual_seed(-1).initial_seed()
    st = g.get_state()
    a = numtorch.randn(20, generator=g)
    g.set_state(st)
    same(numtorch.randn(20, generator=g), torch.from_numpy(a._data))
    c = g.clone_state()
    same(numtorch.rand(4, generator=c), torch.from_numpy(numtorch.rand(4, generator=g)._data))
    p = pickle.loads(pickle.dumps(g))
    same(numtorch.randn(3, generator=p), torch.from_numpy(numtorch.randn(3, generator=g)._data))
    s = g.seed()
    assert 0 <= s < 2 ** 64 and g.initial_seed() == s
    same(numtorch.rand(3, generator=g), torch.rand(3, generator=torch.Generator().manual_seed(s)))


def test_fork_rng():
    def f(m, g):
        a = m.randn(1)  # leaves a cached normal, which the fork also restores
        with m.random.fork_rng():
            m.rand(100)
            m.randn(3)
        with m.random.fork_rng(enabled=False):
            m.rand(2)
        return [a, m.randn(5)]
    check(f)
    with pytest.raises(AssertionError, match='not compiled with CUDA'):
        with numtorch.random.fork_rng(devices=[0]):
            pass
    assert numtorch.random.get_rng_state is numtorch.get_rng_state


def test_module_seed_functions():
    s = numtorch.seed()
    assert numtorch.initial_seed() == s
    torch.manual_seed(s)
    same(numtorch.rand(4), torch.rand(4))
    assert numtorch.manual_seed(1.7) is numtorch.default_generator
    assert numtorch.initial_seed() == 1


# -- errors --------------------------------------------------------------------------
ERRORS = [
    'm.randint(5, 5, (3,))', 'm.randint(5, 3, (3,))', 'm.randperm(-1)',
    'm.randperm(300, dtype=m.uint8)', 'm.randperm(3, dtype=m.bool)',
    'm.randperm(40000, dtype=m.int16)', 'm.randperm(3000, dtype=m.float16)',
    'm.normal(0.0, -1.0, (3,))', 'm.normal(m.zeros(3), -1.0)',
    'm.normal(0.0, m.tensor([-1.0, 1.0]))', 'm.normal(m.zeros(2), m.ones(3))',
    'm.empty(3).bernoulli_(1.5)', 'm.empty(3).bernoulli_(-0.1)',
    'm.bernoulli(m.tensor([0.5, 1.5]))', "m.bernoulli(m.tensor([0.5, float('nan')]))",
    'm.multinomial(m.tensor([0.1, -0.2]), 1)', 'm.multinomial(m.tensor([0.0, 0.0]), 1)',
    'm.multinomial(m.tensor([0.1, -0.2]), 2, True)',
    "m.multinomial(m.tensor([0.1, float('inf')]), 2, True)",
    "m.multinomial(m.tensor([0.1, float('nan')]), 2, True)",
    'm.multinomial(m.tensor([0.0, 0.0]), 2, True)', 'm.multinomial(m.tensor([0.1, 0.2]), 3)',
    'm.multinomial(m.tensor([0.1, 0.2]), 0)', 'm.multinomial(m.zeros(2, 2, 2), 1)',
    'm.multinomial(m.tensor([1, 2]), 1)', 'm.multinomial(m.tensor([[0.1, 0.2], [0., 0.]]), 1)',
    'm.empty(3).exponential_(0)', 'm.empty(3, dtype=m.long).exponential_()',
    'm.empty(3).uniform_(2, 1)', 'm.empty(3).uniform_(0, 1e39)',
    'm.empty(3, dtype=m.float16).uniform_(-60000, 60000)', 'm.empty(3, dtype=m.long).uniform_()',
    'm.rand(3, dtype=m.long)', 'm.randn(3, dtype=m.long)', 'm.empty(3).normal_(0, -1)',
    'm.empty(3).random_(5, 5)', 'm.empty(3, dtype=m.uint8).random_(0, 300)',
    'm.empty(3, dtype=m.int8).random_(-129, 3)', 'm.empty(3, dtype=m.int16).random_(0, 40000)',
    'm.poisson(m.tensor([-1.0]))', 'm.poisson(m.tensor([1]))',
    'm.Generator().manual_seed(1.5)', 'm.Generator().manual_seed(2 ** 64)',
    'm.set_rng_state(m.zeros(10, dtype=m.uint8))', 'm.set_rng_state(m.zeros(5056))',
    'm.set_rng_state(m.zeros(5056, dtype=m.uint8))', 'm.rand(2, -1)',
    'm.rand(2, dtype=m.float64, out=m.empty(2))', 'm.Generator().get_offset()',
    'm.empty(3).log_normal_(1, 0)', 'm.empty(3, dtype=m.long).log_normal_()',
    'm.empty(3).cauchy_(0, 0)', 'm.empty(3, dtype=m.long).cauchy_()',
    'm.empty(3).geometric_(1)', 'm.empty(3, dtype=m.bool).geometric_(0.3)',
    'm.empty(3).bernoulli_(m.tensor([0.5, 0.5]))', 'm.empty(2, 3).bernoulli_(m.rand(4, 1, 3))',
    'm.rand(2.5)', 'm.randn(2, 3.0)', 'm.randperm(5.0)',
    'm.normal(m.zeros(3), m.ones(3), (3,))', 'm.normal(0.0, 1.0)',
    'm.bernoulli(m.tensor([1, 0]))',
]


@pytest.mark.parametrize('expr', ERRORS)
def test_errors_match_torch(expr):
    caught = []
    for m in LIBS:
        with pytest.raises(Exception) as info:
            eval(expr)
        caught.append(info.value)
    assert type(caught[1]) is type(caught[0]), caught
    assert str(caught[1]) == str(caught[0])


# -- autograd ------------------------------------------------------------------------
def test_random_results_have_zero_gradients():
    for m in LIBS:
        mean = m.zeros(3, requires_grad=True)
        std = m.ones(3, requires_grad=True)
        outs = [m.normal(mean, 1.0), m.normal(0.0, std), m.normal(mean, std)]
        assert [o.grad_fn.name() for o in outs] == ['NormalBackward1', 'NormalBackward2',
                                                    'NormalBackward3']
        sum(o.sum() for o in outs).backward()
        assert mean.grad.tolist() == [0.0] * 3 and std.grad.tolist() == [0.0] * 3
        x = m.zeros(4, requires_grad=True)
        y = (x * 2).uniform_()
        assert y.grad_fn.name() == 'UniformBackward0' and y.requires_grad
        y.sum().backward()
        assert x.grad.tolist() == [0.0] * 4
        names = [(x * 1).normal_().grad_fn.name(), (x * 1).exponential_().grad_fn.name(),
                 (x * 1).geometric_(0.5).grad_fn.name(), (x * 1).log_normal_().grad_fn.name(),
                 (x * 1).cauchy_().grad_fn.name(),
                 (x * 1).bernoulli_(0.5).grad_fn.name(), (x * 1).random_().grad_fn.name(),
                 (x * 1).random_(3).grad_fn.name(), (x * 1).random_(1, 3).grad_fn.name(),
                 m.bernoulli(x.sigmoid()).grad_fn.name()]
        assert names == ['NormalBackward0', 'ExponentialBackward0', 'GeometricBackward0',
                         'LogNormalBackward0', 'CauchyBackward0', 'BernoulliBackward2',
                         'RandomBackward2', 'RandomBackward1', 'RandomBackward0',
                         'BernoulliBackward0']


def test_factories_requires_grad_and_out():
    assert numtorch.rand(2, requires_grad=True).requires_grad
    assert numtorch.randperm(3, dtype=numtorch.float32, requires_grad=True).is_leaf
    with pytest.raises(RuntimeError, match='floating point'):
        numtorch.randint(0, 3, (2,), requires_grad=True)
    check(lambda m, g: [m.rand(2, out=m.empty(5)), m.randn(3, out=m.empty(3)),
                        m.randint(3, (2,), out=m.empty(5, dtype=m.int32)),
                        m.randperm(4, out=m.empty(0, dtype=m.int64))])
