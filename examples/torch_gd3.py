"""torchGd3.py (W13 course notes): descent on two variables at once, f(x) = x1^2 + x2^2.

Starting from (1, 2), x shrinks towards the minimum (0, 0). Prints the final x.
"""
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
optimizer = torch.optim.SGD([x], lr=0.01)
for step in range(300):
    loss = (x * x).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('x=', x)
