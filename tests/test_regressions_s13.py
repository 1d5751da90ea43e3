"""Regressions found in session 13, each checked against torch."""
import numpy as np
import torch

import numtorch


def test_repr_drops_the_node_namespace():
    a = np.array([[4.0, 1.0], [1.0, 3.0]])
    tn = numtorch.tensor(a, requires_grad=True)
    tt = torch.tensor(a, requires_grad=True)
    ln = numtorch.linalg.ldl_factor(tn)[0]
    lt = torch.linalg.ldl_factor(tt)[0]
    assert ln.grad_fn.name() == lt.grad_fn.name() == 'torch::autograd::NotImplemented'
    assert repr(ln) == repr(lt)
