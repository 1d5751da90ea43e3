"""CIFAR-10 and CIFAR-100 from their "python version" pickled batches."""
from __future__ import annotations

import os
import pickle

import numpy as np

from .._pil import pil_image
from .utils import check_integrity, download_and_extract_archive
from .vision import VisionDataset

__all__ = ['CIFAR10', 'CIFAR100']


class CIFAR10(VisionDataset):
    """`CIFAR-10 <https://www.cs.toronto.edu/~kriz/cifar.html>`_: 32x32 colour images in 10
    classes, 50,000 for training and 10,000 for testing, under ``root/cifar-10-batches-py``.

    ``data`` is a uint8 ndarray ``N x 32 x 32 x 3`` and ``targets`` a list of ints, as in
    torchvision; items are ``(PIL RGB image -> transform, int -> target_transform)``.
    """

    base_folder = 'cifar-10-batches-py'
    url = 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz'
    filename = 'cifar-10-python.tar.gz'
    tgz_md5 = 'c58f30108f718f92721af3b95e74349a'
    train_list = [
        ['data_batch_1', 'c99cafc152244af753f735de768cd75f'],
        ['data_batch_2', 'd4bba439e000b95fd0a9bffe97cbabec'],
        ['data_batch_3', '54ebc095f3ab1f0389bbae665268c751'],
        ['data_batch_4', '634d18415352ddfa80567beed471001a'],
        ['data_batch_5', '482c414d41f54cd18b22e5b47cb7c3cb'],
    ]
    test_list = [['test_batch', '40351d587109b95175f43aff81a1287e']]
    meta = {'filename': 'batches.meta', 'key': 'label_names',
            'md5': '5ff9c542aee3614f3951f8cda6e48888'}

    def __init__(self, root, train: bool = True, transform=None, target_transform=None,
                 download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            names = ', '.join(n for n, _ in self.train_list + self.test_list)
            raise RuntimeError('Dataset not found or corrupted. You can use download=True to '
                               f'download it. Expected the files {names} (with their MD5 sums) '
                               f'in {os.path.abspath(os.path.join(self.root, self.base_folder))}'
                               '.')
        downloaded_list = self.train_list if self.train else self.test_list
        data, self.targets = [], []
        for file_name, _ in downloaded_list:
            with open(os.path.join(self.root, self.base_folder, file_name), 'rb') as f:
                entry = pickle.load(f, encoding='latin1')
            data.append(entry['data'])
            self.targets.extend(entry['labels'] if 'labels' in entry else entry['fine_labels'])
        # stored as N x 3072 (channel planes); images are H x W x C
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
        self._load_meta()

    def _load_meta(self) -> None:
        path = os.path.join(self.root, self.base_folder, self.meta['filename'])
        if not check_integrity(path, self.meta['md5']):
            raise RuntimeError('Dataset metadata file not found or corrupted. You can use '
                               f'download=True to download it ({path}).')
        with open(path, 'rb') as infile:
            self.classes = pickle.load(infile, encoding='latin1')[self.meta['key']]
        self.class_to_idx = {_class: i for i, _class in enumerate(self.classes)}

    def __getitem__(self, index: int):
        img, target = self.data[index], self.targets[index]
        img = pil_image().fromarray(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def _check_integrity(self) -> bool:
        return all(check_integrity(os.path.join(self.root, self.base_folder, filename), md5)
                   for filename, md5 in self.train_list + self.test_list)

    def download(self) -> None:
        """Downloads and unpacks the archive unless the batches are there and intact."""
        if self._check_integrity():
            return
        try:
            download_and_extract_archive(self.url, self.root, filename=self.filename,
                                         md5=self.tgz_md5)
        except OSError as e:
            raise RuntimeError(
                f'Error downloading {self.url}: {e}\nWithout network access, put '
                f'{self.filename} (or its extracted folder {self.base_folder}) into '
                f'{os.path.abspath(self.root)} and run again.') from e

    def extra_repr(self) -> str:
        return f'Split: {"Train" if self.train is True else "Test"}'


class CIFAR100(CIFAR10):
    """`CIFAR-100 <https://www.cs.toronto.edu/~kriz/cifar.html>`_: like CIFAR-10 with 100
    (fine) classes, under ``root/cifar-100-python``."""

    base_folder = 'cifar-100-python'
    url = 'https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz'
    filename = 'cifar-100-python.tar.gz'
    tgz_md5 = 'eb9058c3a382ffc7106e4002c42a8d85'
    train_list = [['train', '16019d7e3df5f24257cddd939b257f8d']]
    test_list = [['test', 'f0ef6b0ae62326f3e7ffdfab6717acfc']]
    meta = {'filename': 'meta', 'key': 'fine_label_names',
            'md5': '7973b15100ade9c7d40fb424638fde48'}
