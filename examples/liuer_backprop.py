"""Back propagation in PyTorch (Liu Er's course, lecture 4): y = w * x fitted to y = 2x.

w is a one-element tensor that requires grad; each sample's loss (w*x - y)^2 is
back-propagated and w is updated through w.data so the update is not recorded. Prints the
prediction for x = 4 before and after training, every gradient, and each epoch's last loss.
"""
import torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]

w = torch.Tensor([1.0])
w.requires_grad = True


def forward(x):
    return x * w


def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2


print('Predict (before training)', 4, forward(4).item())
for epoch in range(100):
    for x, y in zip(x_data, y_data):
        l = loss(x, y)
        l.backward()
        print('\tgrad:', x, y, w.grad.item())
        w.data = w.data - 0.01 * w.grad.data
        w.grad.data.zero_()  # gradients accumulate: clear them by hand
    print('Progress:', epoch, l.item())
print('Predict (after training)', 4, forward(4).item())
