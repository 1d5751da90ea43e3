"""An LSTM reads MNIST digits row by row (Morvan's tutorial 402, RNN classification).

Each 28x28 image is a sequence of 28 rows of 28 pixels; the LSTM's output after the last row
goes through a Linear layer to the 10 classes. Prints the net, the training loss and test
accuracy every 50 steps, and the predictions for the first 10 test images.

    numtorch run examples/lstm_mnist.py --data DIR [--epochs N] [--train-size N] [--test-size N]
"""
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import transforms

from mnist_data import arguments, mnist

BATCH_SIZE = 64
TIME_STEP = 28      # rnn time steps: the image height
INPUT_SIZE = 28     # rnn input size: the image width


class RNN(nn.Module):
    def __init__(self):
        super(RNN, self).__init__()
        self.rnn = nn.LSTM(
            input_size=INPUT_SIZE,
            hidden_size=64,     # rnn hidden units
            num_layers=1,
            batch_first=True,   # input and output as (batch, time_step, input_size)
        )
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        # x (batch, time_step, input_size); r_out (batch, time_step, hidden_size)
        # h_n, h_c (n_layers, batch, hidden_size); None: zero initial hidden state
        r_out, (h_n, h_c) = self.rnn(x, None)
        out = self.out(r_out[:, -1, :])   # the output of the last time step
        return out


def main():
    args = arguments(__doc__.splitlines()[0], epochs=1, lr=0.01)
    torch.manual_seed(1)
    train_data, test_data = mnist(args, transforms.ToTensor())
    train_loader = DataLoader(dataset=train_data, batch_size=BATCH_SIZE, shuffle=True)
    # the whole test set as one tensor (2,000 images at most), values in [0, 1]
    n_test = min(len(test_data), 2000)
    test_x = torch.stack([test_data[i][0] for i in range(n_test)]).view(-1, 28, 28)
    test_y = torch.tensor([test_data[i][1] for i in range(n_test)]).numpy()

    rnn = RNN()
    print(rnn)
    optimizer = torch.optim.Adam(rnn.parameters(), lr=args.lr)
    loss_func = nn.CrossEntropyLoss()

    for epoch in range(args.epochs):
        for step, (b_x, b_y) in enumerate(train_loader):
            b_x = b_x.view(-1, 28, 28)       # (batch, time_step, input_size)
            output = rnn(b_x)
            loss = loss_func(output, b_y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 50 == 0:
                with torch.no_grad():
                    test_output = rnn(test_x)
                pred_y = torch.max(test_output, 1)[1].numpy()
                accuracy = float((pred_y == test_y).astype(int).sum()) / float(test_y.size)
                print('Epoch: ', epoch, '| train loss: %.4f' % loss.item(),
                      '| test accuracy: %.2f' % accuracy)

    with torch.no_grad():
        test_output = rnn(test_x[:10])
    pred_y = torch.max(test_output, 1)[1].numpy()
    print(pred_y, 'prediction number')
    print(test_y[:10], 'real number')


if __name__ == '__main__':
    main()
