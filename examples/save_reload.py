"""Saving and restoring a net (Morvan's tutorial 304): save the whole net, or only its
parameters (state_dict: faster, smaller, and what weights_only loading accepts).

Trains net1, saves it both ways, restores net2 (the whole net) and net3 (a fresh net given the
saved parameters). Prints the three losses, which are equal, and draws the three fits side by
side.
"""
import matplotlib.pyplot as plt
import torch

torch.manual_seed(1)    # reproducible

x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)  # x data (tensor), shape (100, 1)
y = x.pow(2) + 0.2 * torch.rand(x.size())                # noisy y data (tensor), shape (100, 1)


def plot(position, title, prediction):
    plt.subplot(position)
    plt.title(title)
    plt.scatter(x.data.numpy(), y.data.numpy())
    plt.plot(x.data.numpy(), prediction.data.numpy(), 'r-', lw=5)


def save():
    net1 = torch.nn.Sequential(
        torch.nn.Linear(1, 10),
        torch.nn.ReLU(),
        torch.nn.Linear(10, 1)
    )
    optimizer = torch.optim.SGD(net1.parameters(), lr=0.5)
    loss_func = torch.nn.MSELoss()
    for t in range(100):
        prediction = net1(x)
        loss = loss_func(prediction, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    torch.save(net1, 'net.pkl')                      # the entire net
    torch.save(net1.state_dict(), 'net_params.pkl')  # only the parameters
    plt.figure(1, figsize=(10, 3))
    plot(131, 'Net1', prediction)
    print('net1 loss', loss_func(net1(x), y).item())


def restore_net():
    # a whole pickled net is arbitrary code: loading it must be asked for explicitly
    net2 = torch.load('net.pkl', weights_only=False)
    prediction = net2(x)
    plot(132, 'Net2', prediction)
    print('net2 loss', torch.nn.MSELoss()(prediction, y).item())


def restore_params():
    net3 = torch.nn.Sequential(
        torch.nn.Linear(1, 10),
        torch.nn.ReLU(),
        torch.nn.Linear(10, 1)
    )
    net3.load_state_dict(torch.load('net_params.pkl'))   # copy net1's parameters into net3
    prediction = net3(x)
    plot(133, 'Net3', prediction)
    print('net3 loss', torch.nn.MSELoss()(prediction, y).item())
    plt.show()


save()
restore_net()
restore_params()
