"""numtorch.torchvision.transforms against torchvision's definitions, on small images whose
results are worked out by hand (and PyTorch's own kernels where torchvision calls them)."""
from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest
import torch
from PIL import Image

import numtorch
from numtorch.torchvision import transforms as T
from numtorch.torchvision.transforms import functional as F
from numtorch.torchvision import utils as vutils


def nt(a):
    return numtorch.from_numpy(np.array(a))


GRAY = np.array([[0, 51, 102], [153, 204, 255]], np.uint8)                  # 2 x 3
RGB = np.stack([GRAY, 255 - GRAY, np.full((2, 3), 7, np.uint8)], axis=-1)   # 2 x 3 x 3


# -- conversions -----------------------------------------------------------------------------

def test_to_tensor_pil_and_ndarray():
    t = T.ToTensor()(Image.fromarray(GRAY))
    assert t.dtype == numtorch.float32 and tuple(t.shape) == (1, 2, 3)
    np.testing.assert_array_equal(t._data[0], GRAY.astype(np.float32) / np.float32(255))
    c = T.ToTensor()(Image.fromarray(RGB))
    assert tuple(c.shape) == (3, 2, 3)
    np.testing.assert_array_equal(c._data[1], (255 - GRAY) / np.float32(255))
    np.testing.assert_array_equal(c._data[2], np.full((2, 3), 7 / np.float32(255), np.float32))
    np.testing.assert_array_equal(T.ToTensor()(RGB)._data, c._data)
    np.testing.assert_array_equal(T.ToTensor()(GRAY)._data, t._data)
    # non-uint8 arrays keep their values and dtype
    f = T.ToTensor()(RGB.astype(np.float64))
    assert f.dtype == numtorch.float64 and f._data[1, 0, 2] == 255 - 102
    # mode '1' is 0/1 -> 0./1.; mode 'I' keeps int32 values
    b = T.ToTensor()(Image.fromarray(GRAY > 100))
    np.testing.assert_array_equal(b._data[0], (GRAY > 100).astype(np.float32))
    i = T.ToTensor()(Image.fromarray(GRAY.astype(np.int32) * 1000))
    assert i.dtype == numtorch.int32 and i._data[0, 1, 2] == 255000


def test_to_tensor_default_dtype_and_errors():
    prev = numtorch.get_default_dtype()
    numtorch.set_default_dtype(numtorch.float64)
    try:
        assert T.ToTensor()(GRAY).dtype == numtorch.float64
    finally:
        numtorch.set_default_dtype(prev)
    with pytest.raises(ValueError, match='pic should be 2/3 dimensional. Got 4 dimensions.'):
        T.ToTensor()(np.zeros((1, 2, 3, 4), np.uint8))
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray. Got <class 'list'>"):
        T.ToTensor()([[1, 2]])


def test_pil_to_tensor_and_convert_image_dtype():
    p = T.PILToTensor()(Image.fromarray(RGB))
    assert p.dtype == numtorch.uint8 and tuple(p.shape) == (3, 2, 3)
    np.testing.assert_array_equal(p._data, RGB.transpose(2, 0, 1))
    f = T.ConvertImageDtype(numtorch.float32)(p)
    np.testing.assert_array_equal(f._data, RGB.transpose(2, 0, 1) / np.float32(255))
    # float -> uint8 scales by 256 - eps: only 1.0 reaches 255
    back = F.convert_image_dtype(nt(np.array([0.0, 0.5, 0.999, 1.0], np.float32)),
                                 numtorch.uint8)
    assert back.tolist() == [0, 127, 255, 255] and back.dtype == numtorch.uint8
    i16 = F.convert_image_dtype(nt(np.array([0, 1, 255], np.uint8)), numtorch.int16)
    assert i16.tolist() == [0, 128, 32640]
    u8 = F.convert_image_dtype(nt(np.array([0, 300, 32767], np.int16)), numtorch.uint8)
    assert u8.tolist() == [0, 2, 255]   # floor division by 32768 // 256
    with pytest.raises(RuntimeError, match='The cast from torch.float32 to torch.int32 cannot '
                                           'be performed safely.'):
        F.convert_image_dtype(f, numtorch.int32)


def test_to_pil_image():
    x = nt(np.array([[[0.0, 0.5], [1.0, 0.25]]], np.float32))
    im = T.ToPILImage()(x)
    assert im.mode == 'L' and im.size == (2, 2)
    np.testing.assert_array_equal(np.asarray(im), [[0, 127], [255, 63]])
    rgb = T.ToPILImage()(nt(RGB.transpose(2, 0, 1)))
    assert rgb.mode == 'RGB'
    np.testing.assert_array_equal(np.asarray(rgb), RGB)
    assert T.ToPILImage()(RGB).mode == 'RGB'
    with pytest.raises(ValueError, match='pic should not have > 4 channels. Got 5 channels.'):
        F.to_pil_image(np.zeros((2, 2, 5), np.uint8))
    with pytest.raises(ValueError, match=r"Only modes \['RGB', 'YCbCr', 'HSV'\] are supported"):
        F.to_pil_image(RGB, mode='RGBA')


# -- normalize, compose, lambda --------------------------------------------------------------

def test_normalize_values_grad_and_errors():
    x = numtorch.rand(2, 3, 4, generator=None)
    mean, std = (0.1, 0.2), (0.5, 0.25)
    y = T.Normalize(mean, std)(x)
    want = (x._data - np.array(mean, np.float32)[:, None, None]) / np.array(
        std, np.float32)[:, None, None]
    np.testing.assert_array_equal(y._data, want)
    assert y is not x and not np.array_equal(x._data, y._data)
    xg = x.clone().requires_grad_()
    F.normalize(xg, mean, std).sum().backward()
    np.testing.assert_allclose(xg.grad._data[1], np.full((3, 4), 4.0, np.float32))
    z = x.clone()
    assert F.normalize(z, mean, std, inplace=True) is z
    np.testing.assert_array_equal(z._data, want)
    assert repr(T.Normalize(mean, std)) == 'Normalize(mean=(0.1, 0.2), std=(0.5, 0.25))'
    with pytest.raises(TypeError, match='Input tensor should be a float tensor. Got '
                                        'torch.uint8.'):
        F.normalize(nt(np.zeros((1, 2, 2), np.uint8)), (0.5,), (0.5,))
    with pytest.raises(TypeError, match='img should be Tensor Image. Got'):
        F.normalize(Image.fromarray(GRAY), (0.5,), (0.5,))
    with pytest.raises(ValueError, match='std evaluated to zero after conversion to '
                                         'torch.float32, leading to division by zero.'):
        F.normalize(x, mean, (1.0, 0.0))
    with pytest.raises(ValueError, match='Expected tensor to be a tensor image of size'):
        F.normalize(numtorch.zeros(2, 2), (0.5,), (0.5,))


def test_compose_lambda_and_repr():
    c = T.Compose([T.ToTensor(), T.Lambda(lambda t: t * 2), T.Normalize((0.5,), (0.5,))])
    out = c(Image.fromarray(GRAY))
    np.testing.assert_allclose(out._data[0], (GRAY / 255 * 2 - 0.5) / 0.5, rtol=1e-6)
    assert repr(c) == ('Compose(\n    ToTensor()\n    Lambda()\n'
                       '    Normalize(mean=(0.5,), std=(0.5,))\n)')
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)
    assert isinstance(T.Normalize((0.5,), (0.5,)), numtorch.nn.Module)


# -- geometry --------------------------------------------------------------------------------

def test_resize_pil_uses_pillow_and_keeps_aspect():
    img = Image.fromarray(np.arange(32, dtype=np.uint8).reshape(4, 8))
    out = T.Resize(2)(img)  # the smaller edge becomes 2
    assert out.size == (4, 2)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img.resize((4, 2), 2)))
    near = T.Resize((8, 16), interpolation=T.InterpolationMode.NEAREST)(img)
    np.testing.assert_array_equal(np.asarray(near),
                                  np.arange(32).reshape(4, 8).repeat(2, 0).repeat(2, 1))
    assert T.Resize((4, 8))(img) is img
    assert repr(T.Resize(2)) == ('Resize(size=2, interpolation=bilinear, max_size=None, '
                                 'antialias=True)')
    with pytest.raises(TypeError, match="Unexpected type <class 'numpy.ndarray'>"):
        T.Resize(2)(GRAY)


def test_resize_tensor_by_hand_and_against_interpolate():
    row = nt(np.array([[[0.0, 4.0]]], np.float32))
    up = F.resize(row, [1, 4], antialias=False)                 # bilinear, half-pixel centres
    assert up.tolist() == [[[0.0, 1.0, 3.0, 4.0]]]
    down = F.resize(nt(np.array([[[0.0, 7.0, 14.0, 21.0]]], np.float32)), [1, 2])
    np.testing.assert_allclose(down._data, [[[5.0, 16.0]]], rtol=1e-6)   # triangle filter
    near = F.resize(nt(np.array([[[1, 2], [3, 4]]], np.uint8)), [4, 4],
                    T.InterpolationMode.NEAREST)
    assert near.dtype == numtorch.uint8
    np.testing.assert_array_equal(near._data[0], [[1, 1, 2, 2], [1, 1, 2, 2],
                                                  [3, 3, 4, 4], [3, 3, 4, 4]])
    rng = np.random.RandomState(0)
    x = rng.rand(2, 3, 7, 9).astype(np.float32)
    for size in [(4, 5), (13, 17), (7, 20)]:
        for mode in ('nearest', 'bilinear', 'bicubic', 'nearest-exact'):
            for aa in (True, False):
                got = F.resize(nt(x), list(size), T.InterpolationMode(mode), antialias=aa)
                corners = False if mode in ('bilinear', 'bicubic') else None
                want = torch.nn.functional.interpolate(
                    torch.from_numpy(x), size=size, mode=mode, align_corners=corners,
                    antialias=aa and mode in ('bilinear', 'bicubic'))
                np.testing.assert_allclose(got._data, want.numpy(), rtol=1e-5, atol=2e-5,
                                           err_msg=f'{size} {mode} {aa}')


def test_crops_and_padding():
    img = nt(np.arange(20, dtype=np.float32).reshape(1, 4, 5))
    # top = round((4 - 2) / 2), left = round((5 - 2) / 2) (Python rounds 1.5 to 2)
    np.testing.assert_array_equal(T.CenterCrop(2)(img)._data[0], [[7, 8], [12, 13]])
    np.testing.assert_array_equal(T.CenterCrop((2, 3))(img)._data[0], [[6, 7, 8], [11, 12, 13]])
    big = T.CenterCrop((6, 5))(img)           # larger than the image: zero rows around it
    np.testing.assert_array_equal(big._data[0, 0], np.zeros(5))
    np.testing.assert_array_equal(big._data[0, 1:5], img._data[0])
    pil = Image.fromarray(np.arange(20, dtype=np.uint8).reshape(4, 5))
    np.testing.assert_array_equal(np.asarray(T.CenterCrop(2)(pil)), [[7, 8], [12, 13]])
    small = nt(np.array([[[1, 2], [3, 4]]], np.uint8))
    want = {
        'constant': [[9, 9, 9, 9], [9, 1, 2, 9], [9, 3, 4, 9], [9, 9, 9, 9]],
        'edge': [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]],
        'reflect': [[4, 3, 4, 3], [2, 1, 2, 1], [4, 3, 4, 3], [2, 1, 2, 1]],
        'symmetric': [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]],
    }
    for mode, w in want.items():
        assert T.Pad(1, fill=9, padding_mode=mode)(small).tolist() == [w], mode
        pil_out = T.Pad(1, fill=9, padding_mode=mode)(Image.fromarray(small._data[0]))
        np.testing.assert_array_equal(np.asarray(pil_out), w)
    lt = F.pad(small, [1, 0, 0, 2])  # left, top, right, bottom
    assert lt.tolist() == [[[0, 1, 2], [0, 3, 4], [0, 0, 0], [0, 0, 0]]]
    with pytest.raises(ValueError, match='Padding must be an int or a 1, 2, or 4 element '
                                         'tuple, not a 3 element tuple'):
        T.Pad([1, 2, 3])


def test_random_crop_draws_like_torchvision():
    img = nt(np.arange(36, dtype=np.float32).reshape(1, 6, 6))
    numtorch.manual_seed(5)
    torch.manual_seed(5)
    t = T.RandomCrop(3, padding=1)
    for _ in range(5):
        out = t(img)
        padded = np.pad(img._data[0], 1)
        i = torch.randint(0, 8 - 3 + 1, size=(1,)).item()
        j = torch.randint(0, 8 - 3 + 1, size=(1,)).item()
        np.testing.assert_array_equal(out._data[0], padded[i:i + 3, j:j + 3])
    with pytest.raises(ValueError, match=r'Required crop size \(7, 7\) is larger than input '
                                         r'image size \(6, 6\)'):
        T.RandomCrop(7)(img)
    pil = Image.fromarray(np.arange(36, dtype=np.uint8).reshape(6, 6))
    numtorch.manual_seed(2)
    torch.manual_seed(2)
    out = T.RandomCrop(4)(pil)
    i = torch.randint(0, 3, size=(1,)).item()
    j = torch.randint(0, 3, size=(1,)).item()
    np.testing.assert_array_equal(np.asarray(out), np.asarray(pil)[i:i + 4, j:j + 4])


def test_random_flips_use_torch_rand():
    img = nt(np.arange(6, dtype=np.float32).reshape(1, 2, 3))
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    h = T.RandomHorizontalFlip(p=0.5)
    for _ in range(8):
        flipped = bool(torch.rand(1) < 0.5)
        want = img._data[..., ::-1] if flipped else img._data
        np.testing.assert_array_equal(h(img)._data, want)
    v = T.RandomVerticalFlip(p=1.0)
    pil = Image.fromarray(GRAY)
    np.testing.assert_array_equal(np.asarray(v(pil)), GRAY[::-1])
    np.testing.assert_array_equal(np.asarray(T.RandomHorizontalFlip(1.0)(pil)), GRAY[:, ::-1])
    assert repr(h) == 'RandomHorizontalFlip(p=0.5)'


def test_rotation():
    sq = np.arange(25, dtype=np.float32).reshape(1, 5, 5)
    for angle, k in ((90, 1), (180, 2), (-90, 3), (270, 3)):
        np.testing.assert_array_equal(F.rotate(nt(sq), angle)._data[0], np.rot90(sq[0], k))
        pil = Image.fromarray(sq[0].astype(np.uint8))
        np.testing.assert_array_equal(np.asarray(F.rotate(pil, angle)),
                                      np.rot90(sq[0], k).astype(np.uint8))
    # 45 degrees, nearest: corners fall outside and get the fill value
    r = F.rotate(nt(np.ones((1, 5, 5), np.float32)), 45, fill=[7.0])
    assert r._data[0, 0, 0] == 7.0 and r._data[0, 2, 2] == 1.0
    wide = F.rotate(nt(np.ones((1, 2, 4), np.float32)), 90, expand=True)
    assert tuple(wide.shape) == (1, 4, 2)
    numtorch.manual_seed(4)
    torch.manual_seed(4)
    rr = T.RandomRotation((80, 100))
    for _ in range(3):
        angle = torch.empty(1).uniform_(80.0, 100.0).item()
        np.testing.assert_array_equal(rr(nt(sq))._data,
                                      F.rotate(nt(sq), angle, fill=[0.0])._data)
    assert repr(T.RandomRotation(30)) == ('RandomRotation(degrees=[-30.0, 30.0], '
                                          'interpolation=nearest, expand=False, fill=0)')
    with pytest.raises(ValueError, match='If degrees is a single number, it must be positive.'):
        T.RandomRotation(-3)


def test_grayscale():
    px = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]]], np.uint8)
    g = T.Grayscale()(nt(px.transpose(2, 0, 1)))
    assert g.dtype == numtorch.uint8 and tuple(g.shape) == (1, 1, 4)
    # 0.2989 R + 0.587 G + 0.114 B, truncated back to uint8
    assert g.tolist() == [[[76, 149, 29, 18]]]
    pil = T.Grayscale(num_output_channels=3)(Image.fromarray(px))
    assert pil.mode == 'RGB'
    # Pillow's integer luma: (R*19595 + G*38470 + B*7471 + 32768) >> 16
    p = px.astype(np.int64)
    want = (p[..., 0] * 19595 + p[..., 1] * 38470 + p[..., 2] * 7471 + 32768) >> 16
    np.testing.assert_array_equal(np.asarray(pil)[..., 0], want)
    with pytest.raises(TypeError, match=r'Input image tensor permitted channel values are '
                                        r'\[1, 3\], but found 2'):
        T.Grayscale()(numtorch.zeros(2, 3, 3))
    with pytest.raises(TypeError, match='Tensor is not a torch image.'):
        F.hflip(numtorch.zeros(3))


# -- grids, saving, Pillow missing -----------------------------------------------------------

def test_make_grid_and_save_image(tmp_path):
    imgs = numtorch.stack([numtorch.full((1, 2, 2), float(v)) for v in (0.25, 0.5, 1.0)])
    grid = vutils.make_grid(imgs, nrow=2, padding=1, pad_value=0.75)
    assert tuple(grid.shape) == (3, 2 * 3 + 1, 2 * 3 + 1)
    g = grid._data
    np.testing.assert_array_equal(g[:, 1:3, 1:3], 0.25)
    np.testing.assert_array_equal(g[:, 1:3, 4:6], 0.5)
    np.testing.assert_array_equal(g[:, 4:6, 1:3], 1.0)
    np.testing.assert_array_equal(g[:, 4:6, 4:6], 0.75)     # the empty slot stays padding
    np.testing.assert_array_equal(g[:, 0, :], 0.75)
    norm = vutils.make_grid(imgs, nrow=3, padding=0, normalize=True)
    np.testing.assert_allclose(norm._data[0, 0], [0, 0, 1 / 3, 1 / 3, 1, 1], rtol=1e-6)
    single = vutils.make_grid(numtorch.zeros(1, 4, 4))
    assert tuple(single.shape) == (3, 4, 4)
    path = tmp_path / 'grid.png'
    vutils.save_image(imgs, path, nrow=3, padding=0)
    with Image.open(path) as im:
        arr = np.asarray(im)
    assert im.mode == 'RGB' and arr.shape == (2, 6, 3)
    np.testing.assert_array_equal(arr[0, :, 0], [64, 64, 128, 128, 255, 255])  # x*255 + 0.5
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got <class 'int'>"):
        vutils.make_grid(3)


def test_missing_pillow_gives_a_clear_message(monkeypatch):
    for name in [m for m in sys.modules if m == 'PIL' or m.startswith('PIL.')]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, 'PIL', None)
    # arrays and tensors need no Pillow
    t = T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))])(GRAY)
    assert tuple(t.shape) == (1, 2, 3)
    with pytest.raises(ImportError, match=r'needs Pillow .*pip install pillow, or pip install '
                                          r'numtorch\[vision\]'):
        T.ToPILImage()(t)
    with pytest.raises(ImportError, match='needs Pillow'):
        vutils.save_image(t, 'x.png')


def test_pil_resize_antialias_false_warns():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        F.resize(Image.fromarray(GRAY), [4, 6], antialias=False)
    assert any('Anti-alias option is always applied for PIL Image input' in str(x.message)
               for x in w)
