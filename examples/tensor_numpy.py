"""Torch or NumPy (Morvan's tutorial 201): moving data between NumPy arrays and tensors, and the
same math in both.

Prints the array and tensor that share one buffer, abs and mean, and matrix products.
"""
import numpy as np
import torch

np_data = np.arange(6).reshape((2, 3))
torch_data = torch.from_numpy(np_data)      # shares memory with np_data
tensor2array = torch_data.numpy()
print('\nnumpy array:', np_data, '\ntorch tensor:', torch_data, '\ntensor to array:',
      tensor2array)

data = [-1, -2, 1, 2]
tensor = torch.FloatTensor(data)  # 32-bit floating point
print('\nabs', '\nnumpy: ', np.abs(data), '\ntorch: ', torch.abs(tensor))
print('\nsin', '\nnumpy: ', np.sin(data), '\ntorch: ', torch.sin(tensor))
print('\nmean', '\nnumpy: ', np.mean(data), '\ntorch: ', torch.mean(tensor))

data = [[1, 2], [3, 4]]
tensor = torch.FloatTensor(data)
print('\nmatrix multiplication (matmul)', '\nnumpy: ', np.matmul(data, data),
      '\ntorch: ', torch.mm(tensor, tensor))
# dot of flattened vectors is a different product: 1*1 + 2*2 + 3*3 + 4*4
print('\ndot of the flattened matrices', '\ntorch: ', torch.dot(tensor.view(-1),
                                                                 tensor.view(-1)))
