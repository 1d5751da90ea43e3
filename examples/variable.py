"""Variable (Morvan's tutorial 202): a tensor that records how it was computed, so its gradient
can be found. Variable(t, requires_grad=True) is the old spelling of a tensor that requires
grad; both work.

v_out = mean(v * v) = 1/4 * sum(v^2), so d(v_out)/dv = v / 2. Prints that gradient, the data
as a tensor and as a NumPy array.
"""
import torch
from torch.autograd import Variable

tensor = torch.FloatTensor([[1, 2], [3, 4]])
variable = Variable(tensor, requires_grad=True)

t_out = torch.mean(tensor * tensor)       # plain tensors: no graph
v_out = torch.mean(variable * variable)   # recorded: v_out knows it came from variable
print(t_out)
print(v_out)

v_out.backward()
print(variable.grad)
print(variable)
print(variable.data)
print(variable.data.numpy())
