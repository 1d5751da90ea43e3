"""A CNN for MNIST (Liu Er's course, lecture 10): two 5x5 convolutions with max pooling and
ReLU, then one Linear layer.

    (batch, 1, 28, 28) -conv 10@5x5-> (batch, 10, 24, 24) -pool-> (batch, 10, 12, 12)
    -conv 20@5x5-> (batch, 20, 8, 8) -pool-> (batch, 20, 4, 4) -view-> (batch, 320) -fc-> 10

Prints the running loss every 300 batches and the test accuracy after each epoch: about 98%
after one epoch over all 60,000 images with the course's lr=0.01; a quicker check,
--train-size 15000 --lr 0.1, reaches about 95%.

    numtorch run examples/mnist_cnn.py --data DIR [--epochs N] [--train-size N] [--test-size N]
                                       [--lr LR]
"""
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import transforms

from mnist_data import arguments, mnist

batch_size = 64


class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = torch.nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = torch.nn.Conv2d(10, 20, kernel_size=5)
        self.pooling = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(320, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = F.relu(self.pooling(self.conv1(x)))
        x = F.relu(self.pooling(self.conv2(x)))
        x = x.view(batch_size, -1)  # flatten: (batch, 320)
        x = self.fc(x)
        return x


def train(epoch, model, train_loader, criterion, optimizer):
    running_loss = 0.0
    for batch_idx, (inputs, target) in enumerate(train_loader, 0):
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, target)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        if batch_idx % 300 == 299:
            print('[%d, %5d] loss: %.3f' % (epoch + 1, batch_idx + 1, running_loss / 300))
            running_loss = 0.0


def test(model, test_loader):
    correct = 0
    total = 0
    with torch.no_grad():
        for images, labels in test_loader:
            outputs = model(images)
            _, predicted = torch.max(outputs.data, dim=1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    print('accuracy on test set: %d %% [%d/%d]' % (100 * correct / total, correct, total))
    return correct / total


def main():
    args = arguments(__doc__.splitlines()[0], epochs=1, lr=0.01)
    torch.manual_seed(1)
    # the mean and standard deviation of the MNIST pixels
    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.1307,), (0.3081,))])
    train_dataset, test_dataset = mnist(args, transform)
    train_loader = DataLoader(train_dataset, shuffle=True, batch_size=batch_size)
    test_loader = DataLoader(test_dataset, shuffle=False, batch_size=batch_size)

    model = Net()
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.5)
    for epoch in range(args.epochs):
        train(epoch, model, train_loader, criterion, optimizer)
        test(model, test_loader)


if __name__ == '__main__':
    main()
