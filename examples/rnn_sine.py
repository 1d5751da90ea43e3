"""An RNN that reads sin(t) and predicts cos(t) (Morvan's tutorial 403, RNN regression).

Each step feeds the next 10 points of the curve and carries the hidden state h_state over to
the next step, so the net sees one continuous signal. Prints the net and the loss every 20
steps (--steps, default 100); draws target (red) and prediction (blue) as they grow (an
animated GIF under `numtorch run` without a display).
"""
import argparse

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

torch.manual_seed(1)    # reproducible

TIME_STEP = 10      # rnn time steps
INPUT_SIZE = 1      # rnn input size
LR = 0.02


class RNN(nn.Module):
    def __init__(self):
        super(RNN, self).__init__()
        self.rnn = nn.RNN(
            input_size=INPUT_SIZE,
            hidden_size=32,     # rnn hidden units
            num_layers=1,
            batch_first=True,   # input and output as (batch, time_step, input_size)
        )
        self.out = nn.Linear(32, 1)

    def forward(self, x, h_state):
        # x (batch, time_step, input_size); h_state (n_layers, batch, hidden_size)
        # r_out (batch, time_step, hidden_size)
        r_out, h_state = self.rnn(x, h_state)
        outs = []    # the prediction of every time step
        for time_step in range(r_out.size(1)):
            outs.append(self.out(r_out[:, time_step, :]))
        return torch.stack(outs, dim=1), h_state


parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument('--steps', type=int, default=100, help='training steps (default 100)')
args = parser.parse_args()

rnn = RNN()
print(rnn)

optimizer = torch.optim.Adam(rnn.parameters(), lr=LR)
loss_func = nn.MSELoss()

h_state = None      # the first hidden state: zeros

plt.figure(1, figsize=(12, 5))
plt.ion()

for step in range(args.steps):
    start, end = step * np.pi, (step + 1) * np.pi   # a time range
    steps = np.linspace(start, end, TIME_STEP, dtype=np.float32, endpoint=False)
    x_np = np.sin(steps)
    y_np = np.cos(steps)

    x = torch.from_numpy(x_np[np.newaxis, :, np.newaxis])    # shape (batch, time_step, 1)
    y = torch.from_numpy(y_np[np.newaxis, :, np.newaxis])

    prediction, h_state = rnn(x, h_state)
    # carry the state's value over, not its graph: backward stops at this step
    h_state = h_state.data

    loss = loss_func(prediction, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 20 == 19:
        print('step', step + 1, 'loss %.4f' % loss.item())

    plt.plot(steps, y_np.flatten(), 'r-')
    plt.plot(steps, prediction.data.numpy().flatten(), 'b-')
    plt.draw()
    plt.pause(0.05)

plt.ioff()
plt.show()
