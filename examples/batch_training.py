"""Batch training (Morvan's tutorial 305): a DataLoader serves (x, y) in shuffled mini-batches,
read by worker processes.

Prints every batch of 3 epochs. The loop sits under `if __name__ == '__main__':` because worker
processes started with 'spawn' (Windows, macOS) import this file again: without the guard they
would start workers of their own.
"""
import torch
import torch.utils.data as Data

torch.manual_seed(1)    # reproducible

BATCH_SIZE = 5

x = torch.linspace(1, 10, 10)       # this is x data (torch tensor)
y = torch.linspace(10, 1, 10)       # this is y data (torch tensor)

torch_dataset = Data.TensorDataset(x, y)
loader = Data.DataLoader(
    dataset=torch_dataset,      # torch TensorDataset format
    batch_size=BATCH_SIZE,      # mini batch size
    shuffle=True,               # shuffle every epoch
    num_workers=2,              # subprocesses that load the batches
)


def show_batch():
    for epoch in range(3):   # train the entire dataset 3 times
        for step, (batch_x, batch_y) in enumerate(loader):  # for each training step
            # train your data...
            print('Epoch: ', epoch, '| Step: ', step, '| batch x: ',
                  batch_x.numpy(), '| batch y: ', batch_y.numpy())


if __name__ == '__main__':
    show_batch()
