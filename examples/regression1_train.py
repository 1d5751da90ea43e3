"""regression1train.py (W13 course notes, after "Learning PyTorch with Examples"): fit the
cubic y = x + 2x^2 + 3x^3 with one Linear(3, 1) layer over the features (x, x^2, x^3).

Prints the summed squared error every 100 steps and the fitted polynomial, whose coefficients
come out close to 0, 1, 2, 3; saves the weights to regression.pt for regression2_predict.py.
"""
import torch

torch.manual_seed(1)

x = torch.linspace(-1, 1, 500)
y = x + 2 * x ** 2 + 3 * x ** 3

# the input tensor (x, x^2, x^3): broadcasting x of shape (500, 1) against p of shape (3,)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1),   # (500, 1) -> (500,), the shape of y
)
loss_fn = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)

for t in range(10000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

linear_layer = model[0]
print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + '
      f'{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
torch.save(model.state_dict(), 'regression.pt')
