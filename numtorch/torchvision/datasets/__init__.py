"""``torchvision.datasets``: MNIST and relatives, CIFAR, and image folders."""
from .vision import VisionDataset
from .mnist import MNIST, FashionMNIST, KMNIST, EMNIST
from .cifar import CIFAR10, CIFAR100
from .folder import DatasetFolder, ImageFolder

__all__ = ['VisionDataset', 'MNIST', 'FashionMNIST', 'KMNIST', 'EMNIST', 'CIFAR10', 'CIFAR100',
           'DatasetFolder', 'ImageFolder']
