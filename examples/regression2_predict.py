"""regression2predict.py (W13 course notes): load the cubic fitted by regression1_train.py and
predict y at x = 2 (the true value is 2 + 8 + 24 = 34).

Run regression1_train.py first (in the same folder): it writes regression.pt. Prints
predict=tensor([...], grad_fn=<ViewBackward0>).
"""
import torch

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1),
)
model.load_state_dict(torch.load('regression.pt'))

p = torch.tensor([1, 2, 3])
x = torch.tensor([2.0])
print(f'predict={model(x.unsqueeze(-1).pow(p))}')
