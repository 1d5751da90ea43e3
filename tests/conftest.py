"""Shared test helpers: the PyTorch oracle and the location of real MNIST."""
from __future__ import annotations

import os
import pathlib

import numpy as np
import pytest
import torch

import numtorch

ROOT = pathlib.Path(__file__).resolve().parents[1]

# The suite runs as two pytest workers on two cores: one BLAS/OpenMP thread per process
# keeps small matrix products from fighting over the cores (both libraries alike).
numtorch.set_num_threads(1)
torch.set_num_threads(1)


def mnist_dir() -> pathlib.Path:
    """The folder with the four MNIST IDX .gz files: $NUMTORCH_MNIST or ../shared/data/mnist."""
    env = os.environ.get('NUMTORCH_MNIST')
    path = pathlib.Path(env) if env else ROOT.parent / 'shared' / 'data' / 'mnist'
    if not (path / 'train-images-idx3-ubyte.gz').exists():
        raise FileNotFoundError(f'MNIST not found in {path}; set NUMTORCH_MNIST to the folder '
                                'holding the four IDX .gz files')
    return path


@pytest.fixture(autouse=True)
def numtorch_warning_filters():
    """numtorch's import-time warning filters, which pytest drops after collecting (it
    restores the filters it had before importing the test modules)."""
    numtorch._ignore_float_warnings()


@pytest.fixture
def mnist_path() -> pathlib.Path:
    return mnist_dir()


def to_torch(t, requires_grad: bool | None = None) -> torch.Tensor:
    """A torch tensor with the same values (and requires_grad) as a numtorch tensor."""
    r = torch.from_numpy(np.array(t._data, copy=True))
    rg = t.requires_grad if requires_grad is None else requires_grad
    return r.requires_grad_(rg) if rg else r


def assert_close(nt, pt, rtol: float = 1e-5, atol: float = 1e-6, check_dtype: bool = True):
    """Asserts a numtorch result equals a torch result in values, shape and dtype."""
    if isinstance(pt, (tuple, list)):
        assert isinstance(nt, (tuple, list)) and len(nt) == len(pt)
        for a, b in zip(nt, pt):
            assert_close(a, b, rtol, atol, check_dtype)
        return
    if pt is None:
        assert nt is None
        return
    if not isinstance(pt, torch.Tensor):
        assert nt == pytest.approx(pt, rel=rtol, abs=atol)
        return
    assert isinstance(nt, numtorch.Tensor), type(nt)
    assert tuple(nt.shape) == tuple(pt.shape), (nt.shape, pt.shape)
    if check_dtype:
        assert str(nt.dtype) == str(pt.dtype), (nt.dtype, pt.dtype)
    np.testing.assert_allclose(nt._data.astype(np.float64) if nt._data.dtype != bool else nt._data,
                               pt.detach().numpy().astype(np.float64)
                               if pt.dtype != torch.bool else pt.detach().numpy(),
                               rtol=rtol, atol=atol)
