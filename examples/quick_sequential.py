"""Building a net quickly (Morvan's tutorial 303): the same net written as a class (net1) and as
torch.nn.Sequential (net2).

Prints both: the class names its layers after its attributes, Sequential numbers them, and the
activation shows up as a layer (ReLU()) only in the Sequential version.
"""
import torch
import torch.nn.functional as F


class Net(torch.nn.Module):
    def __init__(self, n_feature, n_hidden, n_output):
        super(Net, self).__init__()
        self.hidden = torch.nn.Linear(n_feature, n_hidden)
        self.out = torch.nn.Linear(n_hidden, n_output)

    def forward(self, x):
        x = F.relu(self.hidden(x))
        x = self.out(x)
        return x


net1 = Net(n_feature=2, n_hidden=10, n_output=2)
print(net1)

net2 = torch.nn.Sequential(
    torch.nn.Linear(2, 10),
    torch.nn.ReLU(),        # the activation as a layer: class names are capitalised
    torch.nn.Linear(10, 2),
)
print(net2)
