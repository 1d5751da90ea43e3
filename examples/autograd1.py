"""autograd1.py (W13 course notes): the same gradient as autograd0.py, asked for with
torch.autograd.grad instead of backward(): f(x, y) = x^2 + y^2 at (1, 3).

Prints tensor(2.), tensor(6.) and 10.0.
"""
import torch


def f(x, y):
    return x * x + y * y


x = torch.tensor(1.0, requires_grad=True)
y = torch.tensor(3.0, requires_grad=True)
out = f(x, y)
gx, gy = torch.autograd.grad(out, [x, y])
print(gx)
print(gy)
print(out.item())
