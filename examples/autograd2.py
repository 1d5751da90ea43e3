"""autograd2.py (W13 course notes): one vector variable x = [1, 3], f(x) = sum of x_i^2.

Prints f= 10.0 and x.grad= tensor([2., 6.]).
"""
import torch

x = torch.tensor([1.0, 3.0], requires_grad=True)
f = (x * x).sum()
f.backward()
print('f=', f.item())
print('x.grad=', x.grad)
