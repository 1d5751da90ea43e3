"""GoogLeNet's Inception block on MNIST (Liu Er's course, lecture 12 "Advanced CNN").

An Inception block runs four branches side by side and concatenates their channels
(16 + 24 + 24 + 24 = 88): a 1x1 convolution; 1x1 then 5x5; 1x1 then 3x3 then 3x3; and 3x3
average pooling then 1x1. The 1x1 convolutions cut the channels before the costly large
kernels. Prints the running loss and the test accuracy after each epoch.

    numtorch run examples/inception.py --data DIR [--epochs N] [--train-size N] [--test-size N]
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import transforms

from mnist_cnn import test, train
from mnist_data import arguments, mnist


class InceptionA(nn.Module):
    def __init__(self, in_channels):
        super(InceptionA, self).__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)

        self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)

        self.branch3x3_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)

        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

    def forward(self, x):
        branch1x1 = self.branch1x1(x)

        branch5x5 = self.branch5x5_1(x)
        branch5x5 = self.branch5x5_2(branch5x5)

        branch3x3 = self.branch3x3_1(x)
        branch3x3 = self.branch3x3_2(branch3x3)
        branch3x3 = self.branch3x3_3(branch3x3)

        branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1)
        branch_pool = self.branch_pool(branch_pool)

        outputs = [branch1x1, branch5x5, branch3x3, branch_pool]
        return torch.cat(outputs, dim=1)   # (batch, 88, H, W)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(88, 20, kernel_size=5)
        self.incep1 = InceptionA(in_channels=10)
        self.incep2 = InceptionA(in_channels=20)
        self.mp = nn.MaxPool2d(2)
        self.fc = nn.Linear(1408, 10)   # 88 channels x 4 x 4

    def forward(self, x):
        in_size = x.size(0)
        x = F.relu(self.mp(self.conv1(x)))    # (batch, 10, 12, 12)
        x = self.incep1(x)                     # (batch, 88, 12, 12)
        x = F.relu(self.mp(self.conv2(x)))    # (batch, 20, 4, 4)
        x = self.incep2(x)                     # (batch, 88, 4, 4)
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
