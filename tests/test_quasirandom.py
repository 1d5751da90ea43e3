"""torch.quasirandom.SobolEngine against PyTorch: every value bit-for-bit."""
import numpy as np
import pytest
import torch

import numtorch
from numtorch.quasirandom import _initial_state


def same(a, b):
    assert a.dtype == getattr(numtorch, str(b.dtype).split('.')[1])
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_direction_numbers_whole_table():
    ref = torch.zeros(21201, 30, dtype=torch.long)
    torch._sobol_engine_initialize_state_(ref, 21201)
    np.testing.assert_array_equal(_initial_state(21201, 30), ref.numpy())


@pytest.mark.parametrize('dim,scramble,seed', [(1, False, None), (5, False, None),
                                               (3, True, 0), (9, True, 1234),
                                               (21201, False, None)])
def test_draw_sequence(dim, scramble, seed):
    a = numtorch.quasirandom.SobolEngine(dim, scramble=scramble, seed=seed)
    b = torch.quasirandom.SobolEngine(dim, scramble=scramble, seed=seed)
    for n in (1, 4, 3, 1, 9):
        same(a.draw(n), b.draw(n))
    same(a.draw(5, dtype=numtorch.float64), b.draw(5, dtype=torch.float64))
    assert a.num_generated == b.num_generated == 23
    np.testing.assert_array_equal(a.quasi.numpy(), b.quasi.numpy())


def test_first_point_float64_and_default_dtype():
    # the scrambled first point is divided in the default dtype when the engine is built
    a = numtorch.quasirandom.SobolEngine(4, scramble=True, seed=7)
    b = torch.quasirandom.SobolEngine(4, scramble=True, seed=7)
    same(a.draw(3, dtype=numtorch.float64), b.draw(3, dtype=torch.float64))
    numtorch.set_default_dtype(numtorch.float64)
    torch.set_default_dtype(torch.float64)
    try:
        a = numtorch.quasirandom.SobolEngine(4, scramble=True, seed=7)
        b = torch.quasirandom.SobolEngine(4, scramble=True, seed=7)
        same(a.draw(2), b.draw(2))
    finally:
        numtorch.set_default_dtype(numtorch.float32)
        torch.set_default_dtype(torch.float32)


def test_unseeded_scramble_uses_default_generator():
    numtorch.manual_seed(11)
    torch.manual_seed(11)
    a = numtorch.quasirandom.SobolEngine(6, scramble=True)
    b = torch.quasirandom.SobolEngine(6, scramble=True)
    same(a.draw(8), b.draw(8))
    same(numtorch.rand(3), torch.rand(3))  # both consumed the same numbers
    assert repr(a) == repr(b) == 'SobolEngine(dimension=6, scramble=True)'


def test_fast_forward_reset_base2_out():
    a = numtorch.quasirandom.SobolEngine(5, scramble=True, seed=3)
    b = torch.quasirandom.SobolEngine(5, scramble=True, seed=3)
    assert a.fast_forward(6) is a
    b.fast_forward(6)
    same(a.draw(4), b.draw(4))
    a.fast_forward(3)
    b.fast_forward(3)
    same(a.draw(2), b.draw(2))
    assert a.reset() is a
    b.reset()
    same(a.draw_base2(2), b.draw_base2(2))
    same(a.draw_base2(2), b.draw_base2(2))
    with pytest.raises(ValueError) as ea:
        a.draw_base2(1)
    with pytest.raises(ValueError) as eb:
        b.draw_base2(1)
    assert str(ea.value) == str(eb.value)
    out_a, out_b = numtorch.empty(1), torch.empty(1)
    ra, rb = a.draw(3, out=out_a), b.draw(3, out=out_b)
    assert ra is out_a and rb is out_b
    same(out_a, out_b)
    assert repr(a) == repr(b) == 'SobolEngine(dimension=5, scramble=True, seed=3)'


def test_errors():
    for dim in (0, 21202):
        with pytest.raises(ValueError) as ea:
            numtorch.quasirandom.SobolEngine(dim)
        with pytest.raises(ValueError) as eb:
            torch.quasirandom.SobolEngine(dim)
        assert str(ea.value) == str(eb.value)
    a = numtorch.quasirandom.SobolEngine(2)
    b = torch.quasirandom.SobolEngine(2)
    same(a.draw(1, dtype=numtorch.float16), b.draw(1, dtype=torch.float16))
    for nd, td in ((numtorch.int64, torch.int64), (numtorch.float16, torch.float16)):
        with pytest.raises(NotImplementedError) as ea:
            a.draw(2, dtype=nd)
        with pytest.raises(NotImplementedError) as eb:
            b.draw(2, dtype=td)
        assert str(ea.value) == str(eb.value)
    assert a.num_generated == b.num_generated == 1


def test_edge_counts():
    engines = [lib.quasirandom.SobolEngine(2) for lib in (numtorch, torch)]
    msgs = []
    for e in engines:
        with pytest.raises(RuntimeError) as ei:
            e.draw(0)  # a fresh engine draws the first point plus n - 1 more
        msgs.append(str(ei.value))
        assert e.fast_forward(0) is e and e.num_generated == 0
    assert msgs[0] == msgs[1]
    a, b = engines
    same(a.draw(3), b.draw(3))
    same(a.draw(0), b.draw(0))
    assert a.num_generated == b.num_generated == 3
    same(a.draw(1), b.draw(1))
