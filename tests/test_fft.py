"""numtorch.fft against torch.fft: values, dtypes, n/s/dim/norm handling, errors, gradients."""
import numpy as np
import pytest
import torch

import numtorch as nt

RNG = np.random.RandomState(1)
R = RNG.randn(4, 6)
Z = RNG.randn(4, 6) + 1j * RNG.randn(4, 6)
Z5 = RNG.randn(3, 5) + 1j * RNG.randn(3, 5)

CASES = {
    'fft_r': (lambda F, x, nm: F.fft(x, norm=nm), R),
    'fft_c': (lambda F, x, nm: F.fft(x, norm=nm), Z),
    'fft_n8': (lambda F, x, nm: F.fft(x, n=8, norm=nm), Z),
    'fft_n3_d0': (lambda F, x, nm: F.fft(x, n=3, dim=0, norm=nm), Z),
    'ifft_c': (lambda F, x, nm: F.ifft(x, norm=nm), Z),
    'ifft_r_n5': (lambda F, x, nm: F.ifft(x, n=5, norm=nm), R),
    'rfft': (lambda F, x, nm: F.rfft(x, norm=nm), R),
    'rfft_n7': (lambda F, x, nm: F.rfft(x, n=7, norm=nm), R),
    'rfft_n4_d0': (lambda F, x, nm: F.rfft(x, n=4, dim=0, norm=nm), R),
    'irfft': (lambda F, x, nm: F.irfft(x, norm=nm), Z),
    'irfft_n9': (lambda F, x, nm: F.irfft(x, n=9, norm=nm), Z),
    'irfft_n4': (lambda F, x, nm: F.irfft(x, n=4, norm=nm), Z5),
    'irfft_real': (lambda F, x, nm: F.irfft(x, norm=nm), R),
    'hfft': (lambda F, x, nm: F.hfft(x, norm=nm), Z),
    'hfft_n7': (lambda F, x, nm: F.hfft(x, n=7, norm=nm), Z5),
    'ihfft': (lambda F, x, nm: F.ihfft(x, norm=nm), R),
    'ihfft_n5': (lambda F, x, nm: F.ihfft(x, n=5, norm=nm), R),
    'fft2': (lambda F, x, nm: F.fft2(x, norm=nm), Z),
    'ifft2_s': (lambda F, x, nm: F.ifft2(x, s=(3, 8), norm=nm), Z),
    'fftn_r': (lambda F, x, nm: F.fftn(x, norm=nm), R),
    'ifftn_d0': (lambda F, x, nm: F.ifftn(x, dim=0, norm=nm), Z),
    'fftn_s_only': (lambda F, x, nm: F.fftn(x, s=(5,), norm=nm), Z),
    'rfft2': (lambda F, x, nm: F.rfft2(x, norm=nm), R),
    'rfftn_s': (lambda F, x, nm: F.rfftn(x, s=(5, 5), norm=nm), R),
    'irfft2': (lambda F, x, nm: F.irfft2(x, norm=nm), Z),
    'irfftn_s': (lambda F, x, nm: F.irfftn(x, s=(3, 7), norm=nm), Z),
    'hfft2': (lambda F, x, nm: F.hfft2(x, norm=nm), Z),
    'hfftn_s': (lambda F, x, nm: F.hfftn(x, s=(5, 6), norm=nm), Z),
    'ihfft2': (lambda F, x, nm: F.ihfft2(x, norm=nm), R),
    'ihfftn_dims': (lambda F, x, nm: F.ihfftn(x, s=(3, 7), dim=(1, 0), norm=nm), R),
    'fftshift': (lambda F, x, nm: F.fftshift(x), R),
    'ifftshift_d1': (lambda F, x, nm: F.ifftshift(x, dim=1), Z),
    'fftshift_dims': (lambda F, x, nm: F.fftshift(x, dim=(0, 1)), R),
}


def _run(m, name, norm, real_dt):
    fn, a = CASES[name]
    if np.iscomplexobj(a):
        dt = m.complex128 if real_dt == 'float64' else m.complex64
    else:
        dt = getattr(m, real_dt)
    x = m.tensor(a, dtype=dt, requires_grad=True)
    out = fn(m.fft, x, norm)
    w = m.tensor(np.cos(np.arange(out.numel())).reshape(out.shape), dtype=getattr(m, real_dt))
    loss = ((out.abs() if out.is_complex() else out) * w).sum()
    if out.is_complex():
        loss = loss + (out.imag * w).sum() * 0.5
    loss.backward()
    return out, x.grad


def _check(n, t, tol):
    assert str(n.dtype) == str(t.dtype)
    assert tuple(n.shape) == tuple(t.shape)
    np.testing.assert_allclose(n.detach().numpy(), t.detach().resolve_conj().numpy(),
                               rtol=tol, atol=tol)


@pytest.mark.parametrize('norm', [None, 'ortho', 'forward'])
@pytest.mark.parametrize('name', list(CASES))
def test_values_and_gradients_float64(name, norm):
    on, gn = _run(nt, name, norm, 'float64')
    ot, gt = _run(torch, name, norm, 'float64')
    _check(on, ot, 1e-10)
    _check(gn, gt, 1e-10)
    assert on.grad_fn.name() == ot.grad_fn.name()


@pytest.mark.parametrize('name', list(CASES))
def test_float32_gives_complex64(name):
    on, gn = _run(nt, name, 'backward', 'float32')
    ot, gt = _run(torch, name, 'backward', 'float32')
    _check(on, ot, 2e-5)
    _check(gn, gt, 2e-5)


@pytest.mark.parametrize('fn', [
    lambda x: nt.view_as_real(nt.fft.fft(x, n=5)),
    lambda x: nt.view_as_real(nt.fft.rfft(x, norm='ortho')),
    lambda x: nt.fft.irfft(nt.fft.rfft(x) * nt.tensor([1., 2, 3, 4], dtype=nt.float64), n=7),
    lambda x: nt.view_as_real(nt.fft.ihfft2(x, s=(2, 5))),
    lambda x: nt.fft.hfftn(nt.fft.fftn(x, norm='forward'), s=(3, 5)),
    lambda x: nt.fft.irfftn(nt.view_as_complex(nt.stack([x, x.flip(0)], -1)), s=(3, 4)),
])
def test_gradcheck(fn):
    x = nt.tensor(RNG.randn(3, 6), dtype=nt.float64, requires_grad=True)
    assert nt.autograd.gradcheck(fn, (x,))


def test_input_dtypes():
    for dt, want in (('int64', 'complex64'), ('bool', 'complex64'), ('float64', 'complex128')):
        n = nt.fft.fft(nt.ones(4, dtype=getattr(nt, dt)))
        t = torch.fft.fft(torch.ones(4, dtype=getattr(torch, dt)))
        assert str(n.dtype) == str(t.dtype) == 'torch.' + want
    assert repr(nt.fft.irfft(nt.arange(3))) == repr(torch.fft.irfft(torch.arange(3)))
    assert repr(nt.fft.rfft(nt.ones(4, dtype=nt.bool))) == \
        repr(torch.fft.rfft(torch.ones(4, dtype=torch.bool)))


@pytest.mark.parametrize('case', [
    lambda m: m.fft.fft(m.ones(4, dtype=m.float16)),
    lambda m: m.fft.rfft(m.ones(4, dtype=m.complex64)),
    lambda m: m.fft.ihfft(m.ones(4, dtype=m.complex64)),
    lambda m: m.fft.fft(m.ones(4, 6), norm='foo'),
    lambda m: m.fft.fft(m.ones(4, 6), n=0),
    lambda m: m.fft.fft(m.ones(4, 6), dim=3),
    lambda m: m.fft.fft(m.tensor(1.)),
    lambda m: m.fft.fft2(m.ones(4, 6), s=(2,)),
    lambda m: m.fft.fftn(m.ones(4, 6), s=(3, 4), dim=(0,)),
    lambda m: m.fft.fftn(m.ones(4, 6), dim=(0, 0)),
    lambda m: m.fft.irfft(m.ones(1, dtype=m.complex64)),
    lambda m: m.fft.fft2(m.ones(3)),
])
def test_errors(case):
    with pytest.raises(Exception) as et:
        case(torch)
    with pytest.raises(type(et.value)) as en:
        case(nt)
    assert str(en.value) == str(et.value)


@pytest.mark.parametrize('case', [
    lambda m: m.fft.fftfreq(5), lambda m: m.fft.fftfreq(8, 0.1),
    lambda m: m.fft.fftfreq(7, 0.3), lambda m: m.fft.fftfreq(4, dtype=m.float64),
    lambda m: m.fft.fftfreq(0), lambda m: m.fft.rfftfreq(6, 0.5),
    lambda m: m.fft.rfftfreq(9, 1.7, dtype=m.float64), lambda m: m.fft.rfftfreq(1),
    lambda m: m.fft.fftshift(m.arange(6)), lambda m: m.fft.ifftshift(m.arange(5)),
    lambda m: m.fft.fftshift(m.arange(12).reshape(3, 4), dim=-1),
    lambda m: m.fft.fftshift(m.fft.fftfreq(6)),
    lambda m: m.fft.fftfreq(3, requires_grad=True),
])
def test_frequencies_and_shifts(case):
    n, t = case(nt), case(torch)
    assert repr(n) == repr(t)
    np.testing.assert_array_equal(n.detach().numpy(), t.detach().numpy())
