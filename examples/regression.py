"""Regression (Morvan's tutorial 301): a net with one hidden layer, Net(1, 10, 1), learns the
curve y = x^2 from 100 noisy points.

Prints the net. Every 5th of the 200 steps redraws the points and the net's current curve
(plt.ion / plt.pause); under `numtorch run` without a display the frames become one animated
GIF in which the red line bends onto the points, and the last picture is saved as a PNG.
"""
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

torch.manual_seed(1)    # reproducible

x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)  # x data (tensor), shape (100, 1)
y = x.pow(2) + 0.2 * torch.rand(x.size())                # noisy y data (tensor), shape (100, 1)


class Net(torch.nn.Module):
    def __init__(self, n_feature, n_hidden, n_output):
        super(Net, self).__init__()
        self.hidden = torch.nn.Linear(n_feature, n_hidden)   # hidden layer
        self.predict = torch.nn.Linear(n_hidden, n_output)   # output layer

    def forward(self, x):
        x = F.relu(self.hidden(x))      # activation function for the hidden layer
        x = self.predict(x)             # linear output
        return x


net = Net(n_feature=1, n_hidden=10, n_output=1)
print(net)

optimizer = torch.optim.SGD(net.parameters(), lr=0.2)
loss_func = torch.nn.MSELoss()  # mean squared error, for regression

plt.ion()   # interactive drawing: the loop below updates one figure

for t in range(200):
    prediction = net(x)
    loss = loss_func(prediction, y)     # (1. nn output, 2. target)

    optimizer.zero_grad()   # clear the gradients of the last step
    loss.backward()         # back-propagate: compute the gradients
    optimizer.step()        # apply the gradients

    if t % 5 == 0:
        plt.cla()
        plt.scatter(x.data.numpy(), y.data.numpy())
        plt.plot(x.data.numpy(), prediction.data.numpy(), 'r-', lw=5)
        plt.text(0.5, 0, 'Loss=%.4f' % loss.data.numpy(), fontdict={'size': 20, 'color': 'red'})
        plt.pause(0.1)

print('Loss=%.4f' % loss.item())
plt.ioff()
plt.show()
