"""torchGd2.py (W13 course notes): the same descent with torch.optim.SGD over a parameter list.

The optimizer does "x -= lr * x.grad" for every parameter in the list. Prints the parameter
list and the loss every 100 steps, then the result.
"""
import torch

x = torch.tensor(0.0, requires_grad=True)
parameters = [x]
optimizer = torch.optim.SGD(parameters, lr=0.001)
for step in range(5000):
    loss = x * x - 4 * x + 4
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 100 == 99:
        print(step, 'parameters=', parameters, 'loss=', loss.item())
print(f'Result: parameters = {parameters} loss={loss.item()}')
