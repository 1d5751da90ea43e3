"""nn.ChannelShuffle / F.channel_shuffle against torch."""
import numpy as np
import pytest
import torch

import numtorch as nt


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - compared by type and message
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize('shape,groups', [((2, 6, 3, 2), 3), ((2, 6, 3, 2), 2), ((1, 4, 5), 4),
                                          ((2, 8, 2, 1, 2), 2), ((3, 5, 2), 1)])
def test_channel_shuffle_values_and_grads(shape, groups):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    a = nt.tensor(x, requires_grad=True)
    b = torch.tensor(x, requires_grad=True)
    ya, yb = nt.nn.ChannelShuffle(groups)(a), torch.nn.ChannelShuffle(groups)(b)
    np.testing.assert_array_equal(ya.detach().numpy(), yb.detach().numpy())
    assert ya.grad_fn.name() == yb.grad_fn.name() == 'ChannelShuffleBackward0'
    ya.backward(nt.tensor(g))
    yb.backward(torch.tensor(g))
    np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())
    assert nt.autograd.gradcheck(lambda t: nt.nn.functional.channel_shuffle(t, groups),
                                 (nt.tensor(x.astype(np.float64), requires_grad=True),))


def test_channel_shuffle_dtypes_repr_errors():
    xi = np.arange(24).reshape(2, 4, 3)
    np.testing.assert_array_equal(nt.channel_shuffle(nt.tensor(xi), 2).numpy(),
                                  torch.channel_shuffle(torch.tensor(xi), 2).numpy())
    assert nt.channel_shuffle(nt.tensor(xi), 2).dtype == nt.int64
    assert repr(nt.nn.ChannelShuffle(3)) == repr(torch.nn.ChannelShuffle(3))
    assert nt.native_channel_shuffle(nt.tensor(xi), 2).shape == (2, 4, 3)
    for shape, g in [((1, 5, 2), 2), ((6,), 2), ((1, 6), 3), ((1, 6, 2), 0), ((1, 6, 2), -2),
                     ((1, 6, 2), 4)]:
        a = _err(lambda: nt.nn.functional.channel_shuffle(nt.ones(*shape), g))
        b = _err(lambda: torch.nn.functional.channel_shuffle(torch.ones(*shape), g))
        assert a == b and a is not None


def test_channel_shuffle_double_backward():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 3)).astype(np.float64)
    assert nt.autograd.gradgradcheck(lambda t: nt.channel_shuffle(t, 2) ** 2,
                                     (nt.tensor(x, requires_grad=True),))
