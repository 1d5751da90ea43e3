"""Classification (Morvan's tutorial 302): Net(2, 10, 2) separates two clouds of points drawn
around (2, 2) and (-2, -2).

Prints the net and the final accuracy; every 2nd of the 100 steps colours the points by the
predicted class (an animated GIF under `numtorch run` without a display).
"""
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

torch.manual_seed(1)    # reproducible

n_data = torch.ones(100, 2)
x0 = torch.normal(2 * n_data, 1)      # class 0 x data (tensor), shape (100, 2)
y0 = torch.zeros(100)                 # class 0 y data (tensor), shape (100,)
x1 = torch.normal(-2 * n_data, 1)     # class 1 x data (tensor), shape (100, 2)
y1 = torch.ones(100)                  # class 1 y data (tensor), shape (100,)
x = torch.cat((x0, x1), 0).type(torch.FloatTensor)  # shape (200, 2), 32-bit floating point
y = torch.cat((y0, y1), ).type(torch.LongTensor)    # shape (200,), 64-bit integer labels


class Net(torch.nn.Module):
    def __init__(self, n_feature, n_hidden, n_output):
        super(Net, self).__init__()
        self.hidden = torch.nn.Linear(n_feature, n_hidden)   # hidden layer
        self.out = torch.nn.Linear(n_hidden, n_output)       # output layer

    def forward(self, x):
        x = F.relu(self.hidden(x))
        x = self.out(x)
        return x


net = Net(n_feature=2, n_hidden=10, n_output=2)     # two outputs: one score per class
print(net)

optimizer = torch.optim.SGD(net.parameters(), lr=0.02)
loss_func = torch.nn.CrossEntropyLoss()  # the target is a class index, not one-hot

plt.ion()

for t in range(100):
    out = net(x)                 # scores, before softmax
    loss = loss_func(out, y)

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

    if t % 2 == 0:
        plt.cla()
        prediction = torch.max(out, 1)[1]   # index of the larger score in each row
        pred_y = prediction.data.numpy()
        target_y = y.data.numpy()
        plt.scatter(x.data.numpy()[:, 0], x.data.numpy()[:, 1], c=pred_y, s=100, lw=0,
                    cmap='RdYlGn')
        accuracy = float((pred_y == target_y).astype(int).sum()) / float(target_y.size)
        plt.text(1.5, -4, 'Accuracy=%.2f' % accuracy, fontdict={'size': 20, 'color': 'red'})
        plt.pause(0.1)

print('Accuracy=%.2f' % accuracy, 'Loss=%.4f' % loss.item())
plt.ioff()
plt.show()
