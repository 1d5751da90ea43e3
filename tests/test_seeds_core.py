"""The tensor and autograd programs of the user's documents (../shared/seeds), run with
``torch`` bound to numtorch and to real torch: the printed output must be identical, and
where the document shows its output, equal to that too."""
from __future__ import annotations

import contextlib
import io
import textwrap

import numpy as np
import pytest
import torch

import numtorch

PROGRAMS = {
    # 002: the NumPy bridge and basic math.
    'numpy_bridge': '''
        np_data = np.arange(6).reshape((2, 3))
        torch_data = torch.from_numpy(np_data)
        tensor2array = torch_data.numpy()
        print('\\nnumpy\\n', np_data, '\\ntorch\\n', torch_data, '\\ntensor2array\\n', tensor2array)
        data = [-1, -2, 1, 2]
        tensor = torch.FloatTensor(data)
        print(np.abs(data))
        print(torch.abs(tensor))
        print(np.sin(data), torch.sin(tensor))
        print(np.mean(data), torch.mean(tensor))
        data = [[1, 2], [3, 4]]
        tensor = torch.FloatTensor(data)
        print('\\nnumpy:', np.matmul(data, data), '\\ntorch:', torch.mm(tensor, tensor))
    ''',
    # 002: Variable and backward through a mean.
    'variable': '''
        from torch.autograd import Variable
        tensor = torch.FloatTensor([[1, 2], [3, 4]])
        variable = Variable(tensor, requires_grad=True)
        print(tensor)
        print(variable)
        v_out = torch.mean(variable * variable)
        print(v_out)
        v_out.backward()
        print(variable.grad)
        print(variable.data)
        print(variable.data.numpy())
    ''',
    # 002: activation functions over linspace data.
    'activations': '''
        import torch.nn.functional as F
        from torch.autograd import Variable
        x = torch.linspace(-5, 5, 200)
        x = Variable(x)
        x_np = x.data.numpy()
        y_relu = torch.relu(x).data.numpy()
        y_sigmoid = torch.sigmoid(x).data.numpy()
        y_tanh = torch.tanh(x).data.numpy()
        y_softplus = F.softplus(x).data.numpy()
        y_softmax = torch.softmax(x, dim=0).data.numpy()
        for a in (x_np, y_relu, y_sigmoid, y_tanh, y_softplus, y_softmax):
            print(a.dtype, a.shape, a[:3].round(4), a[-3:].round(4), a.sum().round(3))
        print(torch.linspace(1, 10, 10))
    ''',
    # 000: data for regression: unsqueeze and noisy squares (seeded).
    'regression_data': '''
        torch.manual_seed(1)
        x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)
        y = x.pow(2) + 0.2 * torch.rand(x.size())
        print(x.shape, y.shape, x[:3], y[:3], y.sum().round(decimals=2))
        n_data = torch.ones(100, 2)
        x0 = torch.normal(2 * n_data, 1)
        y0 = torch.zeros(100)
        x1 = torch.normal(-2 * n_data, 1)
        y1 = torch.ones(100)
        x = torch.cat((x0, x1), 0).type(torch.FloatTensor)
        y = torch.cat((y0, y1), ).type(torch.LongTensor)
        print(x.shape, y.shape, x.dtype, y.dtype, x[:2], y[98:102])
        print(x.sum(0).round(decimals=2), torch.normal(torch.zeros(*x.size()))[:2])
    ''',
    # 001: autograd0/autograd1 (f = x^2 + y^2 at (1, 3)).
    'autograd0': '''
        x = torch.tensor(1.0, requires_grad=True)
        y = torch.tensor(3.0, requires_grad=True)
        f = x * x + y * y
        f.backward()
        print(x.grad)
        print(y.grad)
        print(f.item())
    ''',
    # 001: autograd2 (vector form) and autograd2a (a norm).
    'autograd2': '''
        x = torch.tensor([1.0, 3.0], requires_grad=True)
        f = (x * x).sum()
        f.backward()
        print('f=', f.item())
        print('x.grad=', x.grad)
        x = torch.tensor([1.0, 3.0], requires_grad=True)
        f = torch.sqrt((x * x).sum())
        f.backward()
        print('f=', f.item())
        print('x.grad=', x.grad)
    ''',
    # 001: polynomial features with a broadcast pow.
    'poly_features': '''
        import math
        x = torch.linspace(-math.pi, math.pi, 2000)
        p = torch.tensor([1, 2, 3])
        xx = x.unsqueeze(-1).pow(p)
        print(xx.shape, xx.dtype, xx[0], xx[-1])
    ''',
    # 003: manual gradient descent step with w.grad.data.zero_().
    'manual_gd': '''
        x_data = [1.0, 2.0, 3.0]
        y_data = [2.0, 4.0, 6.0]
        w = torch.Tensor([1.0])
        w.requires_grad = True

        def forward(x):
            return x * w

        def loss(x, y):
            y_pred = forward(x)
            return (y_pred - y) ** 2

        print("Predict (before training)", 4, forward(4).item())
        for epoch in range(5):
            for x, y in zip(x_data, y_data):
                l = loss(x, y)
                l.backward()
                print("\\t grad: ", x, y, w.grad.item())
                w.data = w.data - 0.01 * w.grad.data
                w.grad.data.zero_()
            print("Progress:", epoch, l.item())
        print("Predict (after training)", 4, forward(4).item())
    ''',
}

# What the documents themselves show for some of these programs.
DOCUMENT_LINES = {
    'autograd0': ['tensor(2.)', 'tensor(6.)', '10.0'],
    'autograd2': ['f= 10.0', 'x.grad= tensor([2., 6.])', 'f= 3.1622776985168457',
                  'x.grad= tensor([0.3162, 0.9487])'],
}


def run_program(src: str, lib) -> str:
    buf = io.StringIO()
    src = textwrap.dedent(src)
    if lib is numtorch:
        src = src.replace('from torch.', 'from numtorch.').replace('import torch.',
                                                                  'import numtorch.')
    ns = {'torch': lib, 'np': np, '__name__': '__main__'}
    with contextlib.redirect_stdout(buf):
        exec(src, ns)
    return buf.getvalue()


@pytest.mark.parametrize('name', sorted(PROGRAMS))
def test_seed_program_prints_like_torch(name):
    out_nt = run_program(PROGRAMS[name], numtorch)
    out_pt = run_program(PROGRAMS[name], torch)
    assert out_nt == out_pt
    for line in DOCUMENT_LINES.get(name, []):
        assert line in out_nt.splitlines()
