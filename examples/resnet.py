"""Residual blocks on MNIST (Liu Er's course, lecture 12 "Advanced CNN").

A residual block adds its input to the output of two 3x3 convolutions, relu(x + conv2(relu(
conv1(x)))): its input and output must have the same shape, and the gradient has a short path
back through the addition, so deep stacks still train. Prints the running loss and the test
accuracy after each epoch.

    numtorch run examples/resnet.py --data DIR [--epochs N] [--train-size N] [--test-size N]
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import transforms

from mnist_cnn import test, train
from mnist_data import arguments, mnist


class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super(ResidualBlock, self).__init__()
        self.channels = channels
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        y = F.relu(self.conv1(x))
        y = self.conv2(y)
        return F.relu(x + y)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.mp = nn.MaxPool2d(2)
        self.rblock1 = ResidualBlock(16)
        self.rblock2 = ResidualBlock(32)
        self.fc = nn.Linear(512, 10)   # 32 channels x 4 x 4

    def forward(self, x):
        in_size = x.size(0)
        x = self.mp(F.relu(self.conv1(x)))   # (batch, 16, 12, 12)
        x = self.rblock1(x)
        x = self.mp(F.relu(self.conv2(x)))   # (batch, 32, 4, 4)
        x = self.rblock2(x)
        x = x.view(in_size, -1)
        x = self.fc(x)
        return x


def main():
    args = arguments(__doc__.splitlines()[0], epochs=1, lr=0.01)
    torch.manual_seed(1)
    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.1307,), (0.3081,))])
    train_dataset, test_dataset = mnist(args, transform)
    train_loader = DataLoader(train_dataset, shuffle=True, batch_size=64)
    test_loader = DataLoader(test_dataset, shuffle=False, batch_size=64)
    model = Net()
    print(model)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.5)
    for epoch in range(args.epochs):
        train(epoch, model, train_loader, criterion, optimizer)
        test(model, test_loader)


if __name__ == '__main__':
    main()
