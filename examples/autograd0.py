"""autograd0.py (W13 course notes): the gradient of f(x, y) = x^2 + y^2 at (1, 3).

Prints df/dx = 2x = tensor(2.), df/dy = 2y = tensor(6.) and f = 10.0 (a float: the trailing
'.' of tensor(2.) marks floating point, and only floating tensors have gradients).
"""
import torch

x = torch.tensor(1.0, requires_grad=True)
y = torch.tensor(3.0, requires_grad=True)
f = x * x + y * y
f.backward()
print(x.grad)
print(y.grad)
print(f.item())
