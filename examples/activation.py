"""Activation functions (Morvan's tutorial 203): relu, sigmoid, tanh and softplus on [-5, 5].

Draws the four curves (under `numtorch run` without a display they are saved as a PNG) and
prints each function's values at both ends, x = -5 and x = 5.
"""
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

x = torch.linspace(-5, 5, 200)   # x data (tensor), shape (200,)
x_np = x.numpy()                 # matplotlib draws NumPy arrays

y_relu = torch.relu(x).numpy()
y_sigmoid = torch.sigmoid(x).numpy()
y_tanh = torch.tanh(x).numpy()
y_softplus = F.softplus(x).numpy()

for name, y in (('relu', y_relu), ('sigmoid', y_sigmoid), ('tanh', y_tanh),
                ('softplus', y_softplus)):
    print(f'{name}(-5) = {y[0]}, {name}(5) = {y[-1]}')

plt.figure(1, figsize=(8, 6))
for i, (name, y, ylim) in enumerate((('relu', y_relu, (-1, 5)),
                                     ('sigmoid', y_sigmoid, (-0.2, 1.2)),
                                     ('tanh', y_tanh, (-1.2, 1.2)),
                                     ('softplus', y_softplus, (-0.2, 6)))):
    plt.subplot(221 + i)
    plt.plot(x_np, y, c='red', label=name)
    plt.ylim(ylim)
    plt.legend(loc='best')
plt.show()
