"""Teach an RNN to turn "hello" into "ohlol" (Liu Er's course, lecture 12 "Basic RNN").

Each character is a class (e, h, l, o); the net reads "hello" one character at a time and
must output the matching character of "ohlol". Three versions of the course:

  --model cell   an RNNCell stepped by hand over one-hot inputs (the default)
  --model rnn    torch.nn.RNN over the whole one-hot sequence at once
  --model embed  an Embedding, a 2-layer RNN and a Linear layer (dense learned inputs)

Prints the predicted string and the loss of each of the 15 epochs.
"""
import argparse

import torch

idx2char = ['e', 'h', 'l', 'o']
x_data = [1, 0, 2, 2, 3]   # hello
y_data = [3, 1, 2, 3, 2]   # ohlol
one_hot_lookup = [[1, 0, 0, 0],
                  [0, 1, 0, 0],
                  [0, 0, 1, 0],
                  [0, 0, 0, 1]]
batch_size = 1
input_size = 4
hidden_size = 4


class CellModel(torch.nn.Module):
    """RNNCell: the caller loops over the sequence and carries the hidden state."""

    def __init__(self, input_size, hidden_size, batch_size):
        super(CellModel, self).__init__()
        self.batch_size = batch_size
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.rnncell = torch.nn.RNNCell(input_size=self.input_size,
                                        hidden_size=self.hidden_size)

    def forward(self, input, hidden):
        hidden = self.rnncell(input, hidden)
        return hidden

    def init_hidden(self):
        return torch.zeros(self.batch_size, self.hidden_size)


class RNNModel(torch.nn.Module):
    """RNN: the whole (seq_len, batch, input_size) sequence in one call."""

    def __init__(self, input_size, hidden_size, batch_size, num_layers=1):
        super(RNNModel, self).__init__()
        self.num_layers = num_layers
        self.batch_size = batch_size
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.rnn = torch.nn.RNN(input_size=self.input_size, hidden_size=self.hidden_size,
                                num_layers=num_layers)

    def forward(self, input):
        hidden = torch.zeros(self.num_layers, self.batch_size, self.hidden_size)
        out, _ = self.rnn(input, hidden)
        return out.view(-1, self.hidden_size)   # (seq_len * batch, hidden_size)


class EmbedModel(torch.nn.Module):
    """Embedding -> 2-layer RNN -> Linear, batch first."""

    def __init__(self, num_class=4, embedding_size=10, hidden_size=8, num_layers=2):
        super(EmbedModel, self).__init__()
        self.num_class = num_class
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.emb = torch.nn.Embedding(input_size, embedding_size)
        self.rnn = torch.nn.RNN(input_size=embedding_size, hidden_size=hidden_size,
                                num_layers=num_layers, batch_first=True)
        self.fc = torch.nn.Linear(hidden_size, num_class)

    def forward(self, x):
        hidden = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        x = self.emb(x)                # (batch, seq_len, embedding_size)
        x, _ = self.rnn(x, hidden)
        x = self.fc(x)
        return x.view(-1, self.num_class)


def train_cell():
    x_one_hot = [one_hot_lookup[x] for x in x_data]
    inputs = torch.Tensor(x_one_hot).view(-1, batch_size, input_size)
    labels = torch.LongTensor(y_data).view(-1, 1)
    net = CellModel(input_size, hidden_size, batch_size)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.1)
    for epoch in range(15):
        loss = 0
        optimizer.zero_grad()
        hidden = net.init_hidden()
        print('Predicted string: ', end='')
        for input, label in zip(inputs, labels):
            hidden = net(input, hidden)
            loss += criterion(hidden, label)   # the whole sequence's loss: sum, no .item()
            _, idx = hidden.max(dim=1)
            print(idx2char[idx.item()], end='')
        loss.backward()
        optimizer.step()
        print(', Epoch [%d/15] loss=%.4f' % (epoch + 1, loss.item()))


def train_sequence(net, inputs, lr):
    labels = torch.LongTensor(y_data)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    for epoch in range(15):
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        _, idx = outputs.max(dim=1)
        idx = idx.data.numpy()
        print('Predicted: ', ''.join([idx2char[x] for x in idx]), end='')
        print(', Epoch [%d/15] loss = %.3f' % (epoch + 1, loss.item()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--model', choices=['cell', 'rnn', 'embed'], default='cell')
    args = parser.parse_args()
    torch.manual_seed(1)
    if args.model == 'cell':
        train_cell()
    elif args.model == 'rnn':
        x_one_hot = [one_hot_lookup[x] for x in x_data]
        inputs = torch.Tensor(x_one_hot).view(-1, batch_size, input_size)
        train_sequence(RNNModel(input_size, hidden_size, batch_size), inputs, lr=0.05)
    else:
        inputs = torch.LongTensor([x_data])   # (batch, seq_len) of character indices
        train_sequence(EmbedModel(), inputs, lr=0.05)


if __name__ == '__main__':
    main()
