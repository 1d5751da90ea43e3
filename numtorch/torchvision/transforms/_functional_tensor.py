"""The tensor side of ``transforms.functional``: images are tensors of shape ``[..., C, H, W]``.

Cheap reshapes (crop, flip, normalize, grayscale) are tensor ops, so autograd flows through them
as in torchvision. Resampling (resize, rotate) and non-constant padding work on the NumPy array
and follow PyTorch's CPU kernels (``interpolate``, ``grid_sample``, ``pad``) step by step, in
float32 where those kernels compute in float32; their results carry no gradient.
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, _wrap
from ... import _dtype
from ..._state import state

_FLOATS = (np.float32, np.float64)
_INTS = (np.uint8, np.int8, np.int16, np.int32, np.int64)


def _assert_image_tensor(img: Tensor) -> None:
    if not (isinstance(img, Tensor) and img.ndim >= 2):
        raise TypeError('Tensor is not a torch image.')


def get_dimensions(img: Tensor) -> list[int]:
    _assert_image_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    height, width = img.shape[-2:]
    return [channels, height, width]


def get_image_size(img: Tensor) -> list[int]:
    _assert_image_tensor(img)
    return [img.shape[-1], img.shape[-2]]


def get_image_num_channels(img: Tensor) -> int:
    _assert_image_tensor(img)
    if img.ndim == 2:
        return 1
    return img.shape[-3]


def _max_value(np_dtype) -> int:
    if np.issubdtype(np_dtype, np.integer):
        return int(np.iinfo(np_dtype).max)
    # floating images live in [0, 1]
    return 1


def _assert_channels(img: Tensor, permitted: list[int]) -> None:
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f'Input image tensor permitted channel values are {permitted}, '
                        f'but found {c}')


def convert_image_dtype(image: Tensor, dtype) -> Tensor:
    src = image._data.dtype
    dst = _dtype.to_dtype(dtype).np
    if src == dst:
        return image
    if image.is_floating_point():
        if np.issubdtype(dst, np.floating):
            return image.to(dtype)
        # float -> int: too few mantissa bits to reach every int32/int64 value
        if (src == np.float32 and dst in (np.int32, np.int64)) or (
                src == np.float64 and dst == np.int64):
            raise RuntimeError(f'The cast from {image.dtype} to {dtype} cannot be performed '
                               'safely.')
        # NOTE: scaling by max + 1 - eps spreads [0, 1] evenly over the integer range; only
        # an exact 1.0 maps to max.
        eps = 1e-3
        return image.mul(float(_max_value(dst)) + 1.0 - eps).to(dtype)
    input_max = float(_max_value(src))
    if np.issubdtype(dst, np.floating):
        return image.to(dtype) / input_max
    output_max = float(_max_value(dst))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return image.div(factor, rounding_mode='floor').to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


def vflip(img: Tensor) -> Tensor:
    _assert_image_tensor(img)
    return img.flip(-2)


def hflip(img: Tensor) -> Tensor:
    _assert_image_tensor(img)
    return img.flip(-1)


def crop(img: Tensor, top: int, left: int, height: int, width: int) -> Tensor:
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right = left + width
    bottom = top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


def rgb_to_grayscale(img: Tensor, num_output_channels: int = 1) -> Tensor:
    if img.ndim < 3:
        raise TypeError(f'Input image tensor should have at least 3 dimensions, but found '
                        f'{img.ndim}')
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError('num_output_channels should be either 1 or 3')
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        # ITU-R 601-2 luma, with torchvision's (TensorFlow's) rounding of the weights
        l_img = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype)
        l_img = l_img.unsqueeze(dim=-3)
    else:
        l_img = img.clone()
    if num_output_channels == 3:
        return l_img.expand(img.shape)
    return l_img


def _parse_pad_padding(padding) -> list[int]:
    """[left, right, top, bottom] from an int or a 1-, 2- or 4-element sequence."""
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return [padding[0], padding[2], padding[1], padding[3]]


def pad(img: Tensor, padding, fill=0, padding_mode: str = 'constant') -> Tensor:
    _assert_image_tensor(img)
    if fill is None:
        fill = 0
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError('Got inappropriate padding arg')
    if not isinstance(fill, (int, float)):
        raise TypeError('Got inappropriate fill arg')
    if not isinstance(padding_mode, str):
        raise TypeError('Got inappropriate padding_mode arg')
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError('Padding must be an int or a 1, 2, or 4 element tuple, not a '
                         f'{len(padding)} element tuple')
    if padding_mode not in ('constant', 'edge', 'reflect', 'symmetric'):
        raise ValueError('Padding mode should be either constant, edge, reflect or symmetric')
    left, right, top, bottom = _parse_pad_padding(padding)
    x = img._data
    # negative padding crops
    x = x[..., max(-top, 0):x.shape[-2] - max(-bottom, 0),
          max(-left, 0):x.shape[-1] - max(-right, 0)]
    left, right, top, bottom = (max(p, 0) for p in (left, right, top, bottom))
    if padding_mode == 'reflect':
        for d, (a, b) in ((-1, (left, right)), (-2, (top, bottom))):
            if a >= x.shape[d] or b >= x.shape[d]:
                raise RuntimeError(
                    f'Argument #4: Padding size should be less than the corresponding input '
                    f'dimension, but got: padding ({a}, {b}) at dimension {x.ndim + d} of input '
                    f'{list(img.shape) if img.ndim >= 3 else [1] + list(img.shape)}')
    widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    if padding_mode == 'constant':
        out = np.pad(x, widths, mode='constant', constant_values=np.array(fill).astype(x.dtype))
    else:
        out = np.pad(x, widths, mode=padding_mode)
    return _wrap(out)


# -- resize --------------------------------------------------------------------------------------

def _aa_filter_linear(x):
    x = np.abs(x)
    return np.where(x < 1.0, 1.0 - x, 0.0)


def _aa_filter_cubic(x):
    # PIL's bicubic kernel (a = -0.5), which PyTorch's antialiased bicubic copies
    a = -0.5
    x = np.abs(x)
    return np.where(x < 1.0, ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0,
                    np.where(x < 2.0, (((x - 5.0) * x + 8.0) * x - 4.0) * a, 0.0))


def _cubic_weights(t):
    """Keys' cubic convolution weights (A = -0.75) of the 4 taps around a point at ``t``."""
    A = np.float32(-0.75)

    def c1(x):
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A

    one = np.float32(1.0)
    return [c2(t + one), c1(t), c1(one - t), c2(np.float32(2.0) - t)]


def _resize_matrix(n_in: int, n_out: int, mode: str, antialias: bool) -> np.ndarray:
    """The ``(n_out, n_in)`` matrix that resamples one axis as ``interpolate`` does."""
    W = np.zeros((n_out, n_in), np.float64)
    rows = np.arange(n_out)
    # NOTE: PyTorch computes the scale and source coordinates in float32 (opmath of float)
    scale = np.float32(n_in) / np.float32(n_out)
    if mode in ('nearest', 'nearest-exact'):
        if n_out == n_in:
            src = rows
        elif mode == 'nearest' and n_out == 2 * n_in:
            src = rows >> 1
        else:
            pos = rows.astype(np.float32) + (np.float32(0.5) if mode == 'nearest-exact' else 0)
            src = np.minimum(np.floor(pos * scale).astype(np.int64), n_in - 1)
        W[rows, src] = 1.0
        return W
    if antialias:
        size = 2.0 if mode == 'bilinear' else 4.0
        filt = _aa_filter_linear if mode == 'bilinear' else _aa_filter_cubic
        scale = float(scale)
        support = size * 0.5 * scale if scale >= 1.0 else size * 0.5
        invscale = 1.0 / scale if scale >= 1.0 else 1.0
        for i in range(n_out):
            center = scale * (i + 0.5)
            xmin = max(int(center - support + 0.5), 0)
            xmax = min(int(center + support + 0.5), n_in)
            w = filt((np.arange(xmin, xmax) - center + 0.5) * invscale)
            total = w.sum()
            W[i, xmin:xmax] = w / total if total != 0.0 else w
        return W
    src = scale * (rows.astype(np.float32) + np.float32(0.5)) - np.float32(0.5)
    if mode == 'bilinear':
        src = np.maximum(src, np.float32(0.0))
        i0 = src.astype(np.int64)
        i1 = i0 + (i0 < n_in - 1)
        l1 = src - i0.astype(np.float32)
        l0 = np.float32(1.0) - l1
        np.add.at(W, (rows, i0), l0)
        np.add.at(W, (rows, i1), l1)
        return W
    i0 = np.floor(src)
    t = src - i0
    for k, w in enumerate(_cubic_weights(t)):
        idx = np.clip(i0.astype(np.int64) - 1 + k, 0, n_in - 1)
        np.add.at(W, (rows, idx), w)
    return W


def resize(img: Tensor, size: list[int], interpolation: str = 'bilinear',
           antialias: bool | None = True) -> Tensor:
    _assert_image_tensor(img)
    if antialias is None:
        antialias = False
    if interpolation not in ('nearest', 'nearest-exact', 'bilinear', 'bicubic'):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor "
                         'input')
    if antialias and interpolation not in ('bilinear', 'bicubic'):
        antialias = False
    x = img._data
    out_dtype = x.dtype
    a = x if x.dtype in _FLOATS else x.astype(np.float32)
    oh, ow = size
    H, W = a.shape[-2:]
    # width first, then height: the order of PyTorch's separable kernels
    if ow != W:
        a = a @ _resize_matrix(W, ow, interpolation, antialias).T.astype(a.dtype)
    if oh != H:
        a = np.swapaxes(np.swapaxes(a, -1, -2) @
                        _resize_matrix(H, oh, interpolation, antialias).T.astype(a.dtype), -1, -2)
    if interpolation == 'bicubic' and out_dtype == np.uint8:
        a = np.clip(a, 0, 255)
    if out_dtype in _INTS:
        a = np.round(a)
    return _wrap(np.ascontiguousarray(a.astype(out_dtype, copy=False)))


# -- rotate (grid_sample over an affine grid) ----------------------------------------------------

def _compute_affine_output_size(matrix: list[float], w: int, h: int) -> tuple[int, int]:
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], np.float32)
    theta = np.array(matrix, np.float32).reshape(2, 3)
    new_pts = pts @ theta.T
    half = np.array([w * 0.5, h * 0.5], np.float32)
    min_vals = new_pts.min(axis=0) + half
    max_vals = new_pts.max(axis=0) + half
    # truncate to 1e-4 so that x.00000001 does not round up to x + 1
    tol = np.float32(1e-4)
    cmax = np.ceil(np.trunc(max_vals / tol) * tol)
    cmin = np.floor(np.trunc(min_vals / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def _gen_affine_grid(theta: np.ndarray, w: int, h: int, ow: int, oh: int) -> np.ndarray:
    dt = theta.dtype
    base = np.empty((oh, ow, 3), dt)
    base[..., 0] = np.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, ow).astype(dt)
    base[..., 1] = np.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, oh).astype(dt)[:, None]
    base[..., 2] = 1
    rescaled = theta.T / np.array([0.5 * w, 0.5 * h], dt)
    return (base.reshape(oh * ow, 3) @ rescaled).reshape(oh, ow, 2)


def _grid_sample(x: np.ndarray, grid: np.ndarray, mode: str) -> np.ndarray:
    """``grid_sample(x, grid, mode, padding_mode='zeros', align_corners=False)`` for one grid
    shared by all leading dimensions of ``x`` (``[N, C, H, W]``)."""
    H, W = x.shape[-2:]
    dt = x.dtype
    one, two = dt.type(1), dt.type(2)
    ix = ((grid[..., 0] + one) * W - one) / two
    iy = ((grid[..., 1] + one) * H - one) / two

    def tap(yy, xx):
        ok = (xx >= 0) & (xx < W) & (yy >= 0) & (yy < H)
        v = x[..., np.clip(yy, 0, H - 1), np.clip(xx, 0, W - 1)]
        return np.where(ok, v, dt.type(0))

    if mode == 'nearest':
        return tap(np.rint(iy).astype(np.int64), np.rint(ix).astype(np.int64))
    x0 = np.floor(ix)
    y0 = np.floor(iy)
    x1 = x0 + one
    y1 = y0 + one
    nw = (x1 - ix) * (y1 - iy)
    ne = (ix - x0) * (y1 - iy)
    sw = (x1 - ix) * (iy - y0)
    se = (ix - x0) * (iy - y0)
    xi0, yi0, xi1, yi1 = (v.astype(np.int64) for v in (x0, y0, x1, y1))
    return (tap(yi0, xi0) * nw + tap(yi0, xi1) * ne + tap(yi1, xi0) * sw + tap(yi1, xi1) * se)


def _assert_grid_transform_inputs(img: Tensor, matrix, interpolation: str, fill,
                                  supported: list[str]) -> None:
    _assert_image_tensor(img)
    if matrix is not None and not isinstance(matrix, list):
        raise TypeError('Argument matrix should be a list')
    if matrix is not None and len(matrix) != 6:
        raise ValueError('Argument matrix should have 6 float values')
    num_channels = get_dimensions(img)[0]
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != num_channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number "
                         f'of channels of the image ({len(fill)} != {num_channels})')
    if interpolation not in supported:
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor "
                         'input')


def _apply_grid_transform(img: Tensor, grid: np.ndarray, mode: str, fill) -> Tensor:
    x = img._data
    out_dtype = x.dtype
    squeeze = x.ndim < 4
    a = x[None] if squeeze else x
    a = a.reshape((-1,) + a.shape[-3:]) if a.ndim > 4 else a
    a = a.astype(grid.dtype, copy=False)
    if fill is not None:
        # an extra channel of ones marks where the output saw the image
        a = np.concatenate([a, np.ones(a.shape[:1] + (1,) + a.shape[2:], a.dtype)], axis=1)
    out = _grid_sample(a, grid, mode)
    if fill is not None:
        mask = out[:, -1:]
        out = out[:, :-1]
        fill_list = list(fill) if isinstance(fill, (tuple, list)) else [float(fill)]
        fill_img = np.broadcast_to(np.array(fill_list, out.dtype).reshape(1, -1, 1, 1),
                                   out.shape)
        mask = np.broadcast_to(mask, out.shape)
        if mode == 'nearest':
            out = np.where(mask < 0.5, fill_img, out)
        else:
            out = out * mask + (out.dtype.type(1) - mask) * fill_img
    out = out.reshape(x.shape[:-2] + out.shape[-2:]) if not squeeze else out[0]
    if out_dtype in _INTS:
        out = np.round(out)
    return _wrap(np.ascontiguousarray(out.astype(out_dtype, copy=False)))


def rotate(img: Tensor, matrix: list[float], interpolation: str = 'nearest',
           expand: bool = False, fill=None) -> Tensor:
    _assert_grid_transform_inputs(img, matrix, interpolation, fill, ['nearest', 'bilinear'])
    w, h = img.shape[-1], img.shape[-2]
    ow, oh = _compute_affine_output_size(matrix, w, h) if expand else (w, h)
    dt = img._data.dtype if img._data.dtype in _FLOATS else np.dtype(np.float32)
    theta = np.array(matrix, dt).reshape(2, 3)
    grid = _gen_affine_grid(theta, w, h, ow, oh)
    return _apply_grid_transform(img, grid, interpolation, fill)


def normalize(tensor: Tensor, mean, std, inplace: bool = False) -> Tensor:
    _assert_image_tensor(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f'Input tensor should be a float tensor. Got {tensor.dtype}.')
    if tensor.ndim < 3:
        raise ValueError('Expected tensor to be a tensor image of size (..., C, H, W). Got '
                         f'tensor.size() = {tensor.size()}')
    if not inplace and not (tensor._rg and state.enabled):
        # the per-sample path of a data pipeline: the same float ops on the array, no graph
        x = tensor._data
        m, s = _channel_values(mean, x.dtype), _channel_values(std, x.dtype)
        if (s == 0).any():
            raise ValueError(f'std evaluated to zero after conversion to {tensor.dtype}, '
                             'leading to division by zero.')
        try:
            return _wrap((x - m) / s)
        except ValueError:
            pass  # shapes that do not broadcast: the tensor ops below raise torch's error
    if not inplace:
        tensor = tensor.clone()
    from ..._ops.creation import as_tensor
    dtype = tensor.dtype
    mean = as_tensor(mean, dtype=dtype)
    std = as_tensor(std, dtype=dtype)
    if (std == 0).any():
        raise ValueError(f'std evaluated to zero after conversion to {dtype}, leading to '
                         'division by zero.')
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


def _channel_values(v, dt) -> np.ndarray:
    """Per-channel mean or std as an array of ``dt`` shaped to broadcast over (C, H, W)."""
    a = v._data.astype(dt) if isinstance(v, Tensor) else np.asarray(v, dtype=dt)
    return a.reshape(-1, 1, 1) if a.ndim == 1 else a
