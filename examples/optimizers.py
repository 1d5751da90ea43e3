"""Optimizers (Morvan's tutorial 306): the same net trained by SGD, Momentum, RMSprop and Adam
on mini-batches of y = x^2 + noise; their loss curves drawn together.

Prints each epoch number and each optimizer's mean loss over the last epoch; saves two
pictures under `numtorch run` without a display (the data, then the loss curves).
"""
import argparse

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
import torch.utils.data as Data

LR = 0.01
BATCH_SIZE = 32


class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.hidden = torch.nn.Linear(1, 20)   # hidden layer
        self.predict = torch.nn.Linear(20, 1)  # output layer

    def forward(self, x):
        x = F.relu(self.hidden(x))
        x = self.predict(x)
        return x


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--epochs', type=int, default=12)
    parser.add_argument('--workers', type=int, default=2)
    args = parser.parse_args()

    torch.manual_seed(1)    # reproducible
    x = torch.unsqueeze(torch.linspace(-1, 1, 1000), dim=1)
    y = x.pow(2) + 0.1 * torch.normal(torch.zeros(*x.size()))

    plt.scatter(x.numpy(), y.numpy())
    plt.show()

    torch_dataset = Data.TensorDataset(x, y)
    loader = Data.DataLoader(dataset=torch_dataset, batch_size=BATCH_SIZE, shuffle=True,
                             num_workers=args.workers)

    net_SGD = Net()
    net_Momentum = Net()
    net_RMSprop = Net()
    net_Adam = Net()
    nets = [net_SGD, net_Momentum, net_RMSprop, net_Adam]

    opt_SGD = torch.optim.SGD(net_SGD.parameters(), lr=LR)
    opt_Momentum = torch.optim.SGD(net_Momentum.parameters(), lr=LR, momentum=0.8)
    opt_RMSprop = torch.optim.RMSprop(net_RMSprop.parameters(), lr=LR, alpha=0.9)
    opt_Adam = torch.optim.Adam(net_Adam.parameters(), lr=LR, betas=(0.9, 0.99))
    optimizers = [opt_SGD, opt_Momentum, opt_RMSprop, opt_Adam]

    loss_func = torch.nn.MSELoss()
    losses_his = [[], [], [], []]   # the loss of every step, per optimizer

    for epoch in range(args.epochs):
        print('Epoch: ', epoch)
        for step, (b_x, b_y) in enumerate(loader):
            for net, opt, l_his in zip(nets, optimizers, losses_his):
                output = net(b_x)
                loss = loss_func(output, b_y)
                opt.zero_grad()
                loss.backward()
                opt.step()
                l_his.append(loss.data.numpy())
        steps = step + 1
        print('  mean loss ' + ', '.join(
            f'{name} {sum(float(v) for v in l_his[-steps:]) / steps:.4f}'
            for name, l_his in zip(('SGD', 'Momentum', 'RMSprop', 'Adam'), losses_his)))

    labels = ['SGD', 'Momentum', 'RMSprop', 'Adam']
    for i, l_his in enumerate(losses_his):
        plt.plot(l_his, label=labels[i])
    plt.legend(loc='best')
    plt.xlabel('Steps')
    plt.ylabel('Loss')
    plt.ylim((0, 0.2))
    plt.show()


if __name__ == '__main__':
    main()
