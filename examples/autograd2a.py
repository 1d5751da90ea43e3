"""autograd2a.py (W13 course notes): the length of x = [1, 3], f(x) = sqrt(x1^2 + x2^2).

The gradient of a length is the unit vector x / |x|. Prints f= 3.1622776985168457 (sqrt(10) in
float32) and x.grad= tensor([0.3162, 0.9487]).
"""
import torch

x = torch.tensor([1.0, 3.0], requires_grad=True)
f = torch.sqrt((x * x).sum())
f.backward()
print('f=', f.item())
print('x.grad=', x.grad)
