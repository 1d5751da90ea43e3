"""MNIST and its relatives (Fashion-MNIST, Kuzushiji-MNIST, EMNIST) from their IDX files.

The layout is torchvision's: ``root/<ClassName>/raw/`` holds the downloaded ``.gz`` files and
their extracted IDX files, which are what gets read. ``download=True`` fetches missing files from
the usual mirrors (checking each MD5), or only extracts ``.gz`` files that are already there.
"""
from __future__ import annotations

import gzip
import hashlib
import operator
import os
import shutil
import string
import warnings
import zlib
from urllib.error import URLError

import numpy as np

from ..._tensor import Tensor, _wrap
from .._pil import pil_image
from .utils import check_integrity, download_and_extract_archive, extract_archive, verify_str_arg
from .vision import VisionDataset

__all__ = ['MNIST', 'FashionMNIST', 'KMNIST', 'EMNIST', 'read_sn3_pascalvincent_tensor',
           'read_image_file', 'read_label_file']


class MNIST(VisionDataset):
    """`MNIST <http://yann.lecun.com/exdb/mnist/>`_: 28x28 grayscale digits, 60,000 for
    training (``train=True``) and 10,000 for testing.

    Items are ``(PIL image of mode 'L' -> transform, int label -> target_transform)``;
    ``data`` is the uint8 tensor ``N x 28 x 28`` and ``targets`` the int64 labels.
    """

    mirrors = [
        'https://ossci-datasets.s3.amazonaws.com/mnist/',
        'http://yann.lecun.com/exdb/mnist/',
    ]
    resources = [
        ('train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'),
        ('train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'),
        ('t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'),
        ('t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c'),
    ]
    # MD5 of each file's content: a re-compressed copy of the same data is accepted too
    content_md5 = {
        'train-images-idx3-ubyte': '6bbc9ace898e44ae57da46a324031adb',
        'train-labels-idx1-ubyte': 'a25bea736e30d166cdddb491f175f624',
        't10k-images-idx3-ubyte': '2646ac647ad5339dbf082846283269ea',
        't10k-labels-idx1-ubyte': '27ae3e4e09519cfbb04c329615203637',
    }
    training_file = 'training.pt'
    test_file = 'test.pt'
    classes = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six',
               '7 - seven', '8 - eight', '9 - nine']

    @property
    def train_labels(self) -> Tensor:
        warnings.warn('train_labels has been renamed targets')
        return self.targets

    @property
    def test_labels(self) -> Tensor:
        warnings.warn('test_labels has been renamed targets')
        return self.targets

    @property
    def train_data(self) -> Tensor:
        warnings.warn('train_data has been renamed data')
        return self.data

    @property
    def test_data(self) -> Tensor:
        warnings.warn('test_data has been renamed data')
        return self.data

    def __init__(self, root, train: bool = True, transform=None, target_transform=None,
                 download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if self._check_legacy_exist():
            self.data, self.targets = self._load_legacy_data()
            return
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError('Dataset not found. You can use download=True to download it. '
                               + self._where())
        self.data, self.targets = self._load_data()

    def _where(self) -> str:
        """Which files are expected where (for the 'not found' error)."""
        names = [os.path.splitext(name)[0] for name, _ in self.resources]
        hint = ''
        if all(os.path.isfile(os.path.join(self.raw_folder, n + '.gz')) for n in names):
            hint = ' The .gz files are there: download=True extracts them without the network.'
        return (f'Expected the files {", ".join(names)} (or their .gz downloads) in '
                f'{os.path.abspath(self.raw_folder)}.{hint}')

    def _check_legacy_exist(self) -> bool:
        if not os.path.exists(self.processed_folder):
            return False
        return all(check_integrity(os.path.join(self.processed_folder, file))
                   for file in (self.training_file, self.test_file))

    def _load_legacy_data(self):
        # old torchvision cached (data, targets) as torch.save files in processed/
        from ...serialization import load
        data_file = self.training_file if self.train else self.test_file
        return load(os.path.join(self.processed_folder, data_file), weights_only=True)

    def _load_data(self):
        prefix = 'train' if self.train else 't10k'
        data = read_image_file(os.path.join(self.raw_folder, f'{prefix}-images-idx3-ubyte'))
        targets = read_label_file(os.path.join(self.raw_folder, f'{prefix}-labels-idx1-ubyte'))
        return data, targets

    def __getitem__(self, index: int):
        """``(image, target)``: the image as a PIL 'L' image through ``transform``."""
        if type(index) is not int:
            index = operator.index(index)
        data, targets = self.data, self.targets
        # the arrays directly: a tensor view per item would cost more than the image itself
        arr = data._data[index] if isinstance(data, Tensor) else np.asarray(data[index])
        target = int(targets._data[index] if isinstance(targets, Tensor) else targets[index])
        img = pil_image().fromarray(np.ascontiguousarray(arr, np.uint8))
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, 'raw')

    @property
    def processed_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, 'processed')

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {_class: i for i, _class in enumerate(self.classes)}

    def _check_exists(self) -> bool:
        return all(check_integrity(os.path.join(self.raw_folder,
                                                os.path.splitext(os.path.basename(url))[0]))
                   for url, _ in self.resources)

    def download(self) -> None:
        """Downloads (or extracts already downloaded) files that are missing."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            if self._extract_local(filename):
                continue
            errors = []
            for mirror in self.mirrors:
                url = f'{mirror}{filename}'
                try:
                    download_and_extract_archive(url, download_root=self.raw_folder,
                                                 filename=filename, md5=md5)
                except (RuntimeError, URLError, OSError) as e:
                    errors.append(e)
                    continue
                break
            else:
                s = f'Error downloading {filename}:\n'
                for mirror, err in zip(self.mirrors, errors):
                    s += f'Tried {mirror}, got:\n{err}\n'
                names = ', '.join(name for name, _ in self.resources)
                s += (f'Without network access, put the files {names} (from one of the mirrors '
                      f'above) into {os.path.abspath(self.raw_folder)} and run again.')
                raise RuntimeError(s)

    def _extract_local(self, filename: str) -> bool:
        """Extracts ``raw/filename`` (a .gz) without the network when its content is the
        published data (``content_md5``) even though the archive itself differs (re-packed)."""
        gz = os.path.join(self.raw_folder, filename)
        name = os.path.splitext(filename)[0]
        want = self.content_md5.get(name)
        if want is None or not os.path.isfile(gz):
            return False
        try:
            with gzip.open(gz, 'rb') as f:
                content = f.read()
        except (OSError, EOFError, zlib.error):
            return False
        if hashlib.md5(content, usedforsecurity=False).hexdigest() != want:
            return False
        with open(os.path.join(self.raw_folder, name), 'wb') as f:
            f.write(content)
        return True

    def extra_repr(self) -> str:
        return f'Split: {"Train" if self.train is True else "Test"}'


class FashionMNIST(MNIST):
    """`Fashion-MNIST <https://github.com/zalandoresearch/fashion-mnist>`_: 28x28 grayscale
    clothing images in 10 classes, MNIST's format and sizes."""

    mirrors = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/']
    resources = [
        ('train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'),
        ('train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'),
        ('t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'),
        ('t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310'),
    ]
    content_md5: dict = {}
    classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
               'Sneaker', 'Bag', 'Ankle boot']


class KMNIST(MNIST):
    """`Kuzushiji-MNIST <https://github.com/rois-codh/kmnist>`_: 28x28 cursive Japanese
    characters in 10 classes."""

    mirrors = ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/']
    resources = [
        ('train-images-idx3-ubyte.gz', 'bdb82020997e1d708af4cf47b453dcf7'),
        ('train-labels-idx1-ubyte.gz', 'e144d726b3acfaa3e44228e80efcd344'),
        ('t10k-images-idx3-ubyte.gz', '5c965bf0a639b31b8f53240b1b52f4d7'),
        ('t10k-labels-idx1-ubyte.gz', '7320c461ea6c1c855c0b718fb2a4b134'),
    ]
    content_md5: dict = {}
    classes = ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo']


class EMNIST(MNIST):
    """`EMNIST <https://www.nist.gov/itl/products-and-services/emnist-dataset>`_: handwritten
    digits and letters; ``split`` is one of byclass, bymerge, balanced, letters, digits, mnist."""

    content_md5: dict = {}
    url = 'https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip'
    md5 = '58c8d27c78d21e728a6bc7b3cc06412e'
    splits = ('byclass', 'bymerge', 'balanced', 'letters', 'digits', 'mnist')
    # letters whose upper and lower case are merged into one class
    _merged_classes = {'c', 'i', 'j', 'k', 'l', 'm', 'o', 'p', 's', 'u', 'v', 'w', 'x', 'y', 'z'}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        'byclass': sorted(list(_all_classes)),
        'bymerge': sorted(list(_all_classes - _merged_classes)),
        'balanced': sorted(list(_all_classes - _merged_classes)),
        'letters': ['N/A'] + list(string.ascii_lowercase),
        'digits': list(string.digits),
        'mnist': list(string.digits),
    }

    def __init__(self, root, split: str, **kwargs) -> None:
        self.split = verify_str_arg(split, 'split', self.splits)
        self.training_file = f'training_{split}.pt'
        self.test_file = f'test_{split}.pt'
        super().__init__(root, **kwargs)
        self.classes = self.classes_split_dict[self.split]

    @property
    def _file_prefix(self) -> str:
        return f'emnist-{self.split}-{"train" if self.train else "test"}'

    @property
    def images_file(self) -> str:
        return os.path.join(self.raw_folder, f'{self._file_prefix}-images-idx3-ubyte')

    @property
    def labels_file(self) -> str:
        return os.path.join(self.raw_folder, f'{self._file_prefix}-labels-idx1-ubyte')

    def _where(self) -> str:
        return (f'Expected the files {os.path.basename(self.images_file)} and '
                f'{os.path.basename(self.labels_file)} in {os.path.abspath(self.raw_folder)}.')

    def _load_data(self):
        return read_image_file(self.images_file), read_label_file(self.labels_file)

    def _check_exists(self) -> bool:
        return all(check_integrity(f) for f in (self.images_file, self.labels_file))

    def download(self) -> None:
        """Downloads the EMNIST archive (all splits) and extracts its IDX files."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        try:
            download_and_extract_archive(self.url, download_root=self.raw_folder, md5=self.md5)
        except (URLError, OSError) as e:
            raise RuntimeError(
                f'Error downloading {self.url}: {e}\nWithout network access, put gzip.zip (or '
                f'the extracted {os.path.basename(self.images_file)} and '
                f'{os.path.basename(self.labels_file)}) into '
                f'{os.path.abspath(self.raw_folder)} and run again.') from e
        gzip_folder = os.path.join(self.raw_folder, 'gzip')
        for gzip_file in os.listdir(gzip_folder):
            if gzip_file.endswith('.gz'):
                extract_archive(os.path.join(gzip_folder, gzip_file), self.raw_folder)
        shutil.rmtree(gzip_folder)


# IDX type codes -> NumPy dtypes (big-endian, as the format stores them)
SN3_PASCALVINCENT_TYPEMAP = {8: np.dtype(np.uint8), 9: np.dtype(np.int8),
                             11: np.dtype('>i2'), 12: np.dtype('>i4'), 13: np.dtype('>f4'),
                             14: np.dtype('>f8')}


def read_sn3_pascalvincent_tensor(path: str, strict: bool = True) -> Tensor:
    """Reads an IDX ("SN3 Pascal Vincent") file: a 4-byte magic (type code, rank), the
    big-endian sizes, then the values. A file whose header or length is wrong raises a
    RuntimeError naming it."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 4:
        raise RuntimeError(f'{path}: not an IDX file (only {len(data)} bytes); the file is '
                           'corrupt; delete it and download it again')
    magic = int.from_bytes(data[0:4], 'big')
    nd = magic % 256
    ty = magic // 256
    if not (1 <= nd <= 3 and ty in SN3_PASCALVINCENT_TYPEMAP):
        raise RuntimeError(f'{path}: not an IDX file (magic number {magic:#010x}); the file is '
                           'corrupt or not extracted')
    header = 4 * (nd + 1)
    shape = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], 'big') for i in range(nd)]
    dt = SN3_PASCALVINCENT_TYPEMAP[ty]
    count = int(np.prod(shape))
    have = (len(data) - header) // dt.itemsize
    if have < count or (strict and have != count):
        raise RuntimeError(
            f'{path}: the IDX header gives the shape {shape} ({count * dt.itemsize} bytes of '
            f'data) but the file holds {len(data) - header}; the file is truncated or corrupt; '
            'delete it and download it again')
    arr = np.frombuffer(data, dt, count, header).astype(dt.newbyteorder('='))
    return _wrap(arr.reshape(shape))


def read_label_file(path: str) -> Tensor:
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x._data.dtype != np.uint8:
        raise TypeError(f'x should be of dtype torch.uint8 instead of {x.dtype}')
    if x.ndim != 1:
        raise ValueError(f'x should have 1 dimension instead of {x.ndim}')
    return _wrap(x._data.astype(np.int64))


def read_image_file(path: str) -> Tensor:
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x._data.dtype != np.uint8:
        raise TypeError(f'x should be of dtype torch.uint8 instead of {x.dtype}')
    if x.ndim != 3:
        raise ValueError(f'x should have 3 dimension instead of {x.ndim}')
    return x
