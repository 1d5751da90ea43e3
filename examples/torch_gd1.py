"""torchGd1.py (W13 course notes): gradient descent by hand on f(x) = x^2 - 4x + 4.

autograd gives df/dx, the loop steps against it (x -= lr * grad) and x walks to the minimum
x = 2. Prints step, x and loss every 100 steps and the result; the loss reaches exactly 0.0 in
float32 before x does (x^2 - 4x + 4 cancels to zero near x = 2).
"""
import torch

x = torch.tensor(0.0, requires_grad=True)
lr = 0.001
for step in range(5000):
    loss = x * x - 4 * x + 4
    loss.backward()
    with torch.no_grad():
        x -= lr * x.grad
    x.grad.zero_()
    if step % 100 == 99:
        print(step, 'x=', x.item(), 'loss=', loss.item())
print(f'Result: x = {x.item()} loss={loss.item()}')
