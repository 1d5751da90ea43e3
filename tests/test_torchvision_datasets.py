"""numtorch.torchvision.datasets: MNIST against its raw IDX bytes, the download paths (with a
stand-in for the network: tests never download), corrupt files, CIFAR and image folders."""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import shutil
import urllib.error
import urllib.request
import warnings

import numpy as np
import pytest
from PIL import Image

import numtorch
from numtorch.torchvision import datasets, transforms
from numtorch.torchvision.datasets import utils as dutils

from conftest import mnist_dir

FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte',
         't10k-labels-idx1-ubyte']


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Every test runs offline: a URL open fails as it does without a network."""
    def refuse(*args, **kwargs):
        raise urllib.error.URLError('[Errno -3] Temporary failure in name resolution')
    monkeypatch.setattr(urllib.request, 'urlopen', refuse)


@pytest.fixture(scope='module')
def gz_root(tmp_path_factory):
    """root/MNIST/raw/*.gz as torchvision lays them out (only the downloads, not extracted)."""
    root = tmp_path_factory.mktemp('mnist_gz')
    raw = root / 'MNIST' / 'raw'
    raw.mkdir(parents=True)
    for name in FILES:
        shutil.copy(mnist_dir() / (name + '.gz'), raw / (name + '.gz'))
    return root


@pytest.fixture(scope='module')
def mnist_root(tmp_path_factory, gz_root):
    """A root whose raw folder also holds the extracted IDX files (after download=True)."""
    root = tmp_path_factory.mktemp('mnist')
    shutil.copytree(gz_root / 'MNIST', root / 'MNIST')
    datasets.MNIST(str(root), train=True, download=True)
    return root


def raw_idx(name: str) -> bytes:
    with gzip.open(mnist_dir() / (name + '.gz'), 'rb') as f:
        return f.read()


def test_gz_only_needs_download_true_which_extracts_offline(gz_root, tmp_path):
    root = tmp_path / 'r'
    shutil.copytree(gz_root, root)
    with pytest.raises(RuntimeError) as e:
        datasets.MNIST(str(root), train=False, download=False)
    msg = str(e.value)
    assert msg.startswith('Dataset not found. You can use download=True to download it.')
    assert str(root / 'MNIST' / 'raw') in msg and 't10k-labels-idx1-ubyte' in msg
    assert 'The .gz files are there' in msg
    test = datasets.MNIST(str(root), train=False, download=True)
    assert len(test) == 10000
    for name in FILES:
        assert (root / 'MNIST' / 'raw' / name).is_file()
    # now present: download=False works both ways
    assert len(datasets.MNIST(str(root), train=True, download=False)) == 60000


def test_mnist_data_equals_the_idx_bytes(mnist_root):
    train = datasets.MNIST(str(mnist_root), train=True)
    images = raw_idx('train-images-idx3-ubyte')
    labels = raw_idx('train-labels-idx1-ubyte')
    assert images[:4] == b'\x00\x00\x08\x03' and labels[:4] == b'\x00\x00\x08\x01'
    assert train.data.dtype == numtorch.uint8 and tuple(train.data.shape) == (60000, 28, 28)
    assert train.targets.dtype == numtorch.int64 and tuple(train.targets.shape) == (60000,)
    np.testing.assert_array_equal(train.data._data.reshape(-1),
                                  np.frombuffer(images, np.uint8, offset=16))
    np.testing.assert_array_equal(train.targets._data, np.frombuffer(labels, np.uint8, offset=8))
    assert train.targets[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    test = datasets.MNIST(str(mnist_root), train=False)
    assert len(test) == 10000 and test.targets[:5].tolist() == [7, 2, 1, 0, 4]


def test_mnist_items_transforms_and_attributes(mnist_root):
    plain = datasets.MNIST(str(mnist_root), train=False)
    img, target = plain[0]
    assert isinstance(img, Image.Image) and img.mode == 'L' and img.size == (28, 28)
    assert type(target) is int and target == 7
    np.testing.assert_array_equal(np.asarray(img), plain.data._data[0])
    tf = datasets.MNIST(str(mnist_root), train=False,
                        transform=transforms.Compose([transforms.ToTensor(),
                                                      transforms.Normalize((0.1307,), (0.3081,))]),
                        target_transform=lambda y: y + 100)
    x, y = tf[numtorch.tensor(3)]
    assert y == plain.targets[3].item() + 100
    assert x.dtype == numtorch.float32 and tuple(x.shape) == (1, 28, 28)
    want = (plain.data._data[3] / np.float32(255) - np.float32(0.1307)) / np.float32(0.3081)
    np.testing.assert_allclose(x._data[0], want, rtol=1e-6, atol=1e-6)
    assert plain.classes[7] == '7 - seven' and plain.class_to_idx['3 - three'] == 3
    assert repr(tf).splitlines()[:4] == ['Dataset MNIST', '    Number of datapoints: 10000',
                                         f'    Root location: {mnist_root}', '    Split: Test']
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        assert plain.test_data is plain.data and plain.test_labels is plain.targets
        assert plain.train_data is plain.data and plain.train_labels is plain.targets
    assert [str(m.message) for m in w] == [
        'test_data has been renamed data', 'test_labels has been renamed targets',
        'train_data has been renamed data', 'train_labels has been renamed targets']
    # a smaller subset the usual way: slice data and targets
    plain.data, plain.targets = plain.data[:50], plain.targets[:50]
    assert len(plain) == 50 and plain[49][1] == plain.targets[49].item()


def test_no_network_error_names_files_and_folder(tmp_path):
    with pytest.raises(RuntimeError) as e:
        datasets.MNIST(str(tmp_path), download=True)
    msg = str(e.value)
    assert msg.startswith('Error downloading train-images-idx3-ubyte.gz:')
    assert 'Tried https://ossci-datasets.s3.amazonaws.com/mnist/, got:' in msg
    assert 'Temporary failure in name resolution' in msg
    assert ('put the files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, '
            't10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz') in msg
    assert str(tmp_path / 'MNIST' / 'raw') in msg


def test_download_verifies_checksums(tmp_path, monkeypatch):
    served = {}

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.close()

    def fake_urlopen(request, *args, **kwargs):
        url = request.full_url if isinstance(request, urllib.request.Request) else request
        served[url] = served.get(url, 0) + 1
        return Response((mnist_dir() / os.path.basename(url)).read_bytes())

    monkeypatch.setattr(urllib.request, 'urlopen', fake_urlopen)
    md5 = {n: hashlib.md5((mnist_dir() / (n + '.gz')).read_bytes()).hexdigest() for n in FILES}

    class Mirrored(datasets.MNIST):
        mirrors = ['https://mirror.invalid/mnist/']
        resources = [(n + '.gz', md5[n]) for n in FILES]
        content_md5 = {}

    data = Mirrored(str(tmp_path), train=False, download=True)
    assert len(data) == 10000 and len(served) == 4
    assert (tmp_path / 'Mirrored' / 'raw' / 't10k-images-idx3-ubyte').is_file()
    # the published archives' MD5s (torchvision's) do not match what this mirror serves
    with pytest.raises(RuntimeError) as e:
        class Published(Mirrored):
            resources = datasets.MNIST.resources
        Published(str(tmp_path), download=True)
    assert 'fails its MD5 check (expected f68b3c2dcbeaaa9fbdd348bbdeb94873' in str(e.value)
    assert str(tmp_path / 'Published' / 'raw' / 'train-images-idx3-ubyte.gz') in str(e.value)


def test_corrupt_files_are_named(gz_root, tmp_path):
    root = tmp_path / 'r'
    shutil.copytree(gz_root, root)
    raw = root / 'MNIST' / 'raw'
    datasets.MNIST(str(root), train=False, download=True)
    # a truncated IDX file
    path = raw / 't10k-images-idx3-ubyte'
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(RuntimeError, match='truncated or corrupt') as e:
        datasets.MNIST(str(root), train=False)
    assert str(path) in str(e.value) and '[10000, 28, 28]' in str(e.value)
    path.write_bytes(b'\x00\x00\x00\x07' + b'\x00' * 20)
    with pytest.raises(RuntimeError, match='not an IDX file'):
        datasets.MNIST(str(root), train=False)
    # a damaged download: its checksum fails and the network cannot replace it
    for name in FILES:
        os.remove(raw / name)
    gz = raw / 'train-labels-idx1-ubyte.gz'
    data = bytearray(gz.read_bytes())
    data[100] ^= 0xFF
    gz.write_bytes(bytes(data))
    with pytest.raises(RuntimeError) as e:
        datasets.MNIST(str(root), train=True, download=True)
    msg = str(e.value)
    assert f'{gz} is there but fails its MD5 check (expected d53e105ee54ea40749a09fcbcd1e9432' \
        in msg and 'Temporary failure in name resolution' in msg


def _write_idx(path, arr: np.ndarray) -> None:
    header = bytes([0, 0, 8, arr.ndim]) + b''.join(int(s).to_bytes(4, 'big')
                                                   for s in arr.shape)
    path.write_bytes(header + arr.astype(np.uint8).tobytes())


def test_fashion_kmnist_emnist_layouts(mnist_root, tmp_path):
    for cls in (datasets.FashionMNIST, datasets.KMNIST):
        raw = tmp_path / cls.__name__ / 'raw'
        raw.mkdir(parents=True)
        for name in FILES[2:]:
            shutil.copy(mnist_root / 'MNIST' / 'raw' / name, raw / name)
            shutil.copy(mnist_root / 'MNIST' / 'raw' / name, raw / name.replace('t10k', 'train'))
        d = cls(str(tmp_path), train=False)
        assert len(d) == 10000 and d.classes == cls.classes
        assert d[0][1] == 7
    assert datasets.FashionMNIST.classes[9] == 'Ankle boot'
    raw = tmp_path / 'EMNIST' / 'raw'
    raw.mkdir(parents=True)
    rng = np.random.RandomState(0)
    imgs = rng.randint(0, 256, (12, 28, 28))
    labels = rng.randint(0, 26, 12)
    _write_idx(raw / 'emnist-letters-test-images-idx3-ubyte', imgs)
    _write_idx(raw / 'emnist-letters-test-labels-idx1-ubyte', labels)
    e = datasets.EMNIST(str(tmp_path), split='letters', train=False)
    assert len(e) == 12 and e.classes[:3] == ['N/A', 'a', 'b']
    np.testing.assert_array_equal(e.data._data, imgs)
    assert e.targets.tolist() == labels.tolist()
    with pytest.raises(ValueError, match="Unknown value 'words' for argument split. Valid values "
                                         "are {'byclass', 'bymerge', 'balanced', 'letters', "
                                         "'digits', 'mnist'}."):
        datasets.EMNIST(str(tmp_path), split='words')
    with pytest.raises(RuntimeError, match='emnist-digits-train-images-idx3-ubyte'):
        datasets.EMNIST(str(tmp_path), split='digits')


def _fake_cifar(folder, names, label_key, n, rng):
    folder.mkdir(parents=True)
    out = {}
    for name in names:
        entry = {'data': rng.randint(0, 256, (n, 3072)).astype(np.uint8),
                 label_key: rng.randint(0, 10, n).tolist()}
        (folder / name).write_bytes(pickle.dumps(entry))
        out[name] = entry
    return out


def test_cifar10_and_cifar100(tmp_path):
    rng = np.random.RandomState(1)
    folder = tmp_path / 'cifar-10-batches-py'
    names = [f'data_batch_{i}' for i in range(1, 6)] + ['test_batch']
    batches = _fake_cifar(folder, names, 'labels', 4, rng)
    (folder / 'batches.meta').write_bytes(pickle.dumps({'label_names': list('abcdefghij')}))

    def md5(p):
        return hashlib.md5(p.read_bytes()).hexdigest()

    class Fake10(datasets.CIFAR10):
        train_list = [[n, md5(folder / n)] for n in names[:5]]
        test_list = [['test_batch', md5(folder / 'test_batch')]]
        meta = {'filename': 'batches.meta', 'key': 'label_names',
                'md5': md5(folder / 'batches.meta')}

    train = Fake10(str(tmp_path), train=True)
    assert train.data.shape == (20, 32, 32, 3) and train.data.dtype == np.uint8
    first = batches['data_batch_1']
    np.testing.assert_array_equal(train.data[0], first['data'][0].reshape(3, 32, 32)
                                  .transpose(1, 2, 0))
    assert train.targets[:4] == first['labels'] and train.classes[1] == 'b'
    img, y = train[0]
    assert img.mode == 'RGB' and img.size == (32, 32) and y == first['labels'][0]
    x, _ = Fake10(str(tmp_path), train=False, transform=transforms.ToTensor())[1]
    assert tuple(x.shape) == (3, 32, 32)
    np.testing.assert_array_equal(
        x._data, batches['test_batch']['data'][1].reshape(3, 32, 32) / np.float32(255))
    with pytest.raises(RuntimeError, match='Dataset not found or corrupted. You can use '
                                           'download=True to download it'):
        datasets.CIFAR10(str(tmp_path))          # the published checksums do not match
    with pytest.raises(RuntimeError, match='cifar-10-python.tar.gz'):
        datasets.CIFAR10(str(tmp_path / 'none'), download=True)
    f100 = tmp_path / 'cifar-100-python'
    _fake_cifar(f100, ['train', 'test'], 'fine_labels', 3, rng)
    (f100 / 'meta').write_bytes(pickle.dumps({'fine_label_names': [f'c{i}' for i in range(100)]}))

    class Fake100(datasets.CIFAR100):
        train_list = [['train', md5(f100 / 'train')]]
        test_list = [['test', md5(f100 / 'test')]]
        meta = {'filename': 'meta', 'key': 'fine_label_names', 'md5': md5(f100 / 'meta')}

    c = Fake100(str(tmp_path), train=False)
    assert len(c) == 3 and c.classes[99] == 'c99'


def test_image_folder_and_dataset_folder(tmp_path):
    rng = np.random.RandomState(2)
    for cls, n in (('cat', 2), ('dog', 3)):
        (tmp_path / cls).mkdir()
        for i in range(n):
            Image.fromarray(rng.randint(0, 256, (5, 4, 3)).astype(np.uint8)).save(
                tmp_path / cls / f'{i}.png')
    (tmp_path / 'dog' / 'notes.txt').write_text('not an image')
    folder = datasets.ImageFolder(str(tmp_path), transform=transforms.ToTensor())
    assert folder.classes == ['cat', 'dog'] and folder.class_to_idx == {'cat': 0, 'dog': 1}
    assert [os.path.basename(p) for p, _ in folder.samples] == ['0.png', '1.png', '0.png',
                                                                '1.png', '2.png']
    assert folder.targets == [0, 0, 1, 1, 1] and folder.imgs is folder.samples
    x, y = folder[2]
    assert y == 1 and tuple(x.shape) == (3, 5, 4)
    with Image.open(tmp_path / 'dog' / '0.png') as im:
        np.testing.assert_array_equal(x._data, np.asarray(im).transpose(2, 0, 1) / np.float32(255))
    texts = datasets.DatasetFolder(str(tmp_path), loader=lambda p: open(p).read(),
                                   extensions=('.txt',), allow_empty=True)
    assert len(texts) == 1 and texts[0] == ('not an image', 1)
    with pytest.raises(FileNotFoundError, match='Found no valid file for the classes cat. '
                                                'Supported extensions are: .txt'):
        datasets.DatasetFolder(str(tmp_path), loader=open, extensions=('.txt',))
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(str(tmp_path / 'cat'))


def test_extract_archive_errors_name_the_file(tmp_path):
    bad = tmp_path / 'x.gz'
    bad.write_bytes(b'not gzip at all')
    with pytest.raises(RuntimeError, match=f'Could not extract {bad}'):
        dutils.extract_archive(str(bad))
    with pytest.raises(RuntimeError, match="Unknown compression or archive type: '.rar'"):
        dutils.extract_archive(str(tmp_path / 'x.rar'))


def test_mnist_without_pillow(mnist_root, monkeypatch):
    import sys
    data = datasets.MNIST(str(mnist_root), train=False)   # reading the IDX files needs no PIL
    for name in [m for m in sys.modules if m == 'PIL' or m.startswith('PIL.')]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, 'PIL', None)
    assert data.targets[0].item() == 7
    with pytest.raises(ImportError, match=r'pip install pillow, or pip install '
                                          r'numtorch\[vision\]'):
        data[0]
