"""Builders of serialized ``Summary`` protocol buffers, following
torch.utils.tensorboard.summary: the same values, buckets, tags and plugin metadata.

Every function returns the encoded ``Summary`` message as bytes.
"""
from __future__ import annotations

import io
import json
import struct
from typing import Any

import numpy as np

from ..._tensor import Tensor
from . import _proto as P
from ._png import encode_png

__all__ = ["make_np", "scalar", "histogram", "histogram_raw", "make_histogram", "image",
           "text", "hparams", "tensor_proto", "convert_to_HWC", "make_grid",
           "figure_to_image", "audio", "pr_curve", "pr_curve_raw", "compute_curve",
           "custom_scalars", "image_boxes", "mesh"]

# tensorflow DataType enum values.
_DT = {"DT_FLOAT": 1, "DT_DOUBLE": 2, "DT_INT32": 3, "DT_UINT8": 4, "DT_INT16": 5,
       "DT_INT8": 6, "DT_STRING": 7, "DT_COMPLEX64": 8, "DT_INT64": 9, "DT_BOOL": 10,
       "DT_COMPLEX128": 18, "DT_HALF": 19}


def make_np(x: Any) -> np.ndarray:
    """A NumPy array from a tensor, an array or a Python/NumPy scalar (as a 1-element array)."""
    if isinstance(x, np.ndarray):
        return x
    if np.isscalar(x):
        return np.array([x])
    if isinstance(x, Tensor):
        return x.detach().numpy()
    raise NotImplementedError(
        f"Got {type(x)}, but numpy array or torch tensor are expected.")


# ---- message encoders -------------------------------------------------------------------

def _plugin_metadata(plugin_name: str, content: bytes = b"", display_name: str = "",
                     description: str = "") -> bytes:
    """SummaryMetadata{plugin_data: PluginData{plugin_name, content}, display_name,
    summary_description}."""
    plugin_data = P.f_str(1, plugin_name) + P.f_bytes(2, content)
    return (P.f_bytes(1, plugin_data, always=True) + P.f_str(2, display_name)
            + P.f_str(3, description))


def _value(tag: str, *, simple_value: float | None = None, image: bytes | None = None,
           histo: bytes | None = None, audio: bytes | None = None,
           tensor: bytes | None = None, metadata: bytes | None = None) -> bytes:
    """Summary.Value; the oneof member that is given is written even when it is zero."""
    out = P.f_str(1, tag)
    if simple_value is not None:
        out += P.f_float(2, simple_value, always=True)
    if image is not None:
        out += P.f_bytes(4, image, always=True)
    if histo is not None:
        out += P.f_bytes(5, histo, always=True)
    if audio is not None:
        out += P.f_bytes(6, audio, always=True)
    if tensor is not None:
        out += P.f_bytes(8, tensor, always=True)
    if metadata is not None:
        out += P.f_bytes(9, metadata, always=True)
    return out


def _summary(*values: bytes) -> bytes:
    return b"".join(P.f_bytes(1, v, always=True) for v in values)


def _shape(dims) -> bytes:
    """TensorShapeProto{dim: [Dim{size}]}."""
    return b"".join(P.f_bytes(2, P.f_varint(1, d), always=True) for d in dims)


# ---- scalars ----------------------------------------------------------------------------

def scalar(name: str, tensor: Any, collections: Any = None, new_style: bool = False,
           double_precision: bool = False) -> bytes:
    """A Summary holding one scalar: ``simple_value`` (float32), or with ``new_style`` a
    scalars-plugin tensor (DT_FLOAT, or DT_DOUBLE with ``double_precision``).
    ``collections`` is unused, as in PyTorch."""
    arr = make_np(tensor).squeeze()
    if arr.ndim != 0:
        raise AssertionError(f"Tensor should contain one element (0 dimensions). \
            Was given size: {arr.size} and {arr.ndim} dimensions.")
    value = float(arr)
    if new_style:
        if double_precision:
            proto = P.f_varint(1, _DT["DT_DOUBLE"]) + P.f_packed_double(6, [value])
        else:
            proto = P.f_varint(1, _DT["DT_FLOAT"]) + P.f_packed_float(5, [value])
        return _summary(_value(name, tensor=proto, metadata=_plugin_metadata("scalars")))
    return _summary(_value(name, simple_value=value))


def _half_to_int(f: float) -> int:
    # NOTE: PyTorch stores half values as the int32 bit pattern of their float32 value.
    return struct.unpack("i", struct.pack("f", f))[0]


def tensor_proto(tag: str, tensor: Tensor) -> bytes:
    """A Summary holding the whole tensor as a TensorProto (tensor plugin)."""
    arr = make_np(tensor)
    if arr.size * arr.itemsize >= (1 << 31):
        raise ValueError("tensor is bigger than protocol buffer's hard limit of 2GB in size")
    kind = arr.dtype
    flat = arr.reshape(-1)
    if kind == np.float16:
        dtype, body = "DT_HALF", P.f_packed_varint(13, [_half_to_int(v) for v in
                                                        flat.tolist()])
    elif kind == np.float32:
        dtype, body = "DT_FLOAT", P.f_packed_float(5, flat)
    elif kind == np.float64:
        dtype, body = "DT_DOUBLE", P.f_packed_double(6, flat)
    elif kind in (np.int8, np.int16, np.int32):
        dtype = {np.dtype(np.int8): "DT_INT8", np.dtype(np.int16): "DT_INT16",
                 np.dtype(np.int32): "DT_INT32"}[kind]
        body = P.f_packed_varint(7, flat.tolist())
    elif kind == np.uint8:
        dtype, body = "DT_UINT8", P.f_packed_varint(16, flat.tolist())
    elif kind == np.int64:
        dtype, body = "DT_INT64", P.f_packed_varint(10, flat.tolist())
    elif kind == np.bool_:
        dtype, body = "DT_BOOL", P.f_packed_varint(11, flat.tolist())
    elif kind == np.complex64:
        dtype, body = "DT_COMPLEX64", P.f_packed_float(9, flat.view(np.float32))
    elif kind == np.complex128:
        dtype, body = "DT_COMPLEX128", P.f_packed_double(12, flat.view(np.float64))
    else:
        raise ValueError(f"{tag} has unsupported tensor dtype {tensor.dtype}")
    proto = (P.f_varint(1, _DT[dtype]) + P.f_bytes(2, _shape(arr.shape), always=True)
             + body)
    return _summary(_value(tag, tensor=proto, metadata=_plugin_metadata("tensor")))


# ---- histograms -------------------------------------------------------------------------

def _histogram_proto(vmin, vmax, num, vsum, sum_squares, limits, counts) -> bytes:
    return (P.f_double(1, vmin) + P.f_double(2, vmax) + P.f_double(3, num)
            + P.f_double(4, vsum) + P.f_double(5, sum_squares)
            + P.f_packed_double(6, limits) + P.f_packed_double(7, counts))


def histogram_raw(name: str, min: float, max: float, num: int, sum: float,
                  sum_squares: float, bucket_limits, bucket_counts) -> bytes:
    """A histogram Summary from precomputed statistics and buckets."""
    return _summary(_value(name, histo=_histogram_proto(
        min, max, num, sum, sum_squares, np.asarray(bucket_limits, np.float64),
        np.asarray(bucket_counts, np.float64))))


def make_histogram(values: np.ndarray, bins: Any, max_bins: int | None = None) -> bytes:
    """HistogramProto bytes of ``values`` (float64) with NumPy ``bins``, keeping only the
    support of the histogram plus one empty bucket on its left (TensorBoard draws right
    limits only), optionally merged down to ``max_bins`` buckets."""
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    num_bins = len(counts)
    if max_bins is not None and num_bins > max_bins:
        subsampling = num_bins // max_bins
        remainder = num_bins % subsampling
        if remainder != 0:
            counts = np.pad(counts, pad_width=[[0, subsampling - remainder]],
                            mode="constant", constant_values=0)
        counts = counts.reshape(-1, subsampling).sum(axis=-1)
        new_limits = np.empty((counts.size + 1,), limits.dtype)
        new_limits[:-1] = limits[:-1:subsampling]
        new_limits[-1] = limits[-1]
        limits = new_limits
    # First and last non-empty bins.
    cum_counts = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(cum_counts, [0, cum_counts[-1] - 1], side="right")
    start = int(start)
    end = int(end) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    if counts.size == 0 or limits.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    return _histogram_proto(values.min(), values.max(), len(values), values.sum(),
                            values.dot(values), np.asarray(limits, np.float64),
                            np.asarray(counts, np.float64))


def histogram(name: str, values: Any, bins: Any, max_bins: int | None = None) -> bytes:
    """A histogram Summary of ``values`` (any shape, converted to float64)."""
    arr = make_np(values)
    return _summary(_value(name, histo=make_histogram(arr.astype(float), bins, max_bins)))


# ---- images -----------------------------------------------------------------------------

def make_grid(batch: np.ndarray, ncols: int = 8) -> np.ndarray:
    """Tile an ``(N, 1 or 3, H, W)`` batch into a ``(3, H*rows, W*cols)`` canvas, 8 per row."""
    if not isinstance(batch, np.ndarray):
        raise AssertionError("plugin error, should pass numpy array here")
    if batch.shape[1] == 1:
        batch = np.concatenate([batch, batch, batch], 1)
    if batch.ndim != 4 or batch.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    nimg, _, H, W = batch.shape
    ncols = min(nimg, ncols)
    nrows = int(np.ceil(float(nimg) / ncols))
    canvas = np.zeros((3, H * nrows, W * ncols), dtype=batch.dtype)
    for i in range(nimg):
        y, x = divmod(i, ncols)
        canvas[:, y * H:(y + 1) * H, x * W:(x + 1) * W] = batch[i]
    return canvas


def convert_to_HWC(tensor: np.ndarray, input_format: str) -> np.ndarray:
    """Reorder an image array given in ``input_format`` (NCHW, HWC, HW, ...) to HWC; a batch
    becomes one grid image and grey images get three channels."""
    if len(set(input_format)) != len(input_format):
        raise AssertionError(f"You can not use the same dimension shorthand twice. \
            input_format: {input_format}")
    if len(tensor.shape) != len(input_format):
        raise AssertionError(f"size of input tensor and input format are different. \
        tensor shape: {tensor.shape}, input_format: {input_format}")
    input_format = input_format.upper()
    if len(input_format) == 4:
        index = [input_format.find(c) for c in "NCHW"]
        return make_grid(tensor.transpose(index)).transpose(1, 2, 0)
    if len(input_format) == 3:
        index = [input_format.find(c) for c in "HWC"]
        tensor_HWC = tensor.transpose(index)
        if tensor_HWC.shape[2] == 1:
            tensor_HWC = np.concatenate([tensor_HWC, tensor_HWC, tensor_HWC], 2)
        return tensor_HWC
    # Two letters: a grey image.
    index = [input_format.find(c) for c in "HW"]
    tensor = tensor.transpose(index)
    return np.stack([tensor, tensor, tensor], 2)


def _to_uint8_hwc(tensor: Any, dataformats: str) -> np.ndarray:
    # uint8 data is taken as 0..255, anything else as 0..1; clipped, then truncated.
    arr = convert_to_HWC(make_np(tensor), dataformats)
    scale_factor = 1 if arr.dtype == np.uint8 else 255
    return (arr.astype(np.float32) * scale_factor).clip(0, 255).astype(np.uint8)


def _image_summary(tag: str, arr: np.ndarray, rescale: float = 1,
                   boxes: np.ndarray | None = None, labels: list | None = None) -> bytes:
    """Summary.Image of an HWC uint8 array, with boxes drawn and/or resized by Pillow."""
    height, width, channel = arr.shape
    pixels = arr
    if boxes is not None or rescale != 1:
        from PIL import Image
        picture = Image.fromarray(arr)
        if boxes is not None:
            _draw_boxes(picture, boxes, labels)
        picture = picture.resize((int(width * rescale), int(height * rescale)),
                                 Image.Resampling.LANCZOS)
        pixels = np.asarray(picture)
        if pixels.ndim == 2:
            pixels = pixels[:, :, None]
    # NOTE: PyTorch records the size before rescaling.
    img = (P.f_varint(1, height) + P.f_varint(2, width) + P.f_varint(3, channel)
           + P.f_bytes(4, encode_png(pixels)))
    return _summary(_value(tag, image=img))


def image(tag: str, tensor: Any, rescale: float = 1, dataformats: str = "NCHW") -> bytes:
    """An image Summary (PNG). uint8 data is taken as 0..255, anything else as 0..1 and
    multiplied by 255; values are clipped to 0..255 and truncated to uint8. Rescaling
    (``rescale != 1``) resamples with Pillow's Lanczos filter, as PyTorch."""
    return _image_summary(tag, _to_uint8_hwc(tensor, dataformats), rescale)


def _draw_boxes(picture: Any, boxes: np.ndarray, labels: list | None) -> None:
    # Red 2-pixel boxes; a label goes in a red box over the bottom-left corner, in black.
    from PIL import ImageDraw, ImageFont

    font = ImageFont.load_default()
    draw = ImageDraw.Draw(picture)
    for i in range(boxes.shape[0]):
        left, top, right, bottom = boxes[i, 0], boxes[i, 1], boxes[i, 2], boxes[i, 3]
        draw.line([(left, top), (left, bottom), (right, bottom), (right, top), (left, top)],
                  width=2, fill="Red")
        label = None if labels is None else labels[i]
        if label:
            _left, _top, _right, _bottom = font.getbbox(label)
            text_width, text_height = _right - _left, _bottom - _top
            margin = np.ceil(0.05 * text_height)
            draw.rectangle([(left, bottom - text_height - 2 * margin),
                            (left + text_width, bottom)], fill="Red")
            draw.text((left + margin, bottom - text_height - margin), label, fill="black",
                      font=font)


def image_boxes(tag: str, tensor_image: Any, tensor_boxes: Any, rescale: float = 1,
                dataformats: str = "CHW", labels: list | None = None) -> bytes:
    """An image Summary with red boxes (rows of xmin, ymin, xmax, ymax) drawn on the image,
    labelled with ``labels``. Drawing and rescaling need Pillow, which PyTorch uses for them
    as well."""
    arr = _to_uint8_hwc(tensor_image, dataformats)
    return _image_summary(tag, arr, rescale, boxes=make_np(tensor_boxes), labels=labels)


def figure_to_image(figures: Any, close: bool = True) -> np.ndarray:
    """Render a matplotlib figure (CHW uint8) or a list of figures (NCHW) with the Agg canvas.
    Needs matplotlib."""
    import matplotlib.backends.backend_agg as plt_backend_agg
    import matplotlib.pyplot as plt

    def render_to_rgb(figure):
        canvas = plt_backend_agg.FigureCanvasAgg(figure)
        canvas.draw()
        data = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8)
        w, h = figure.canvas.get_width_height()
        image_chw = np.moveaxis(data.reshape([h, w, 4])[:, :, 0:3], source=2, destination=0)
        if close:
            plt.close(figure)
        return image_chw

    if isinstance(figures, list):
        return np.stack([render_to_rgb(f) for f in figures])
    return render_to_rgb(figures)


# ---- text -------------------------------------------------------------------------------

def text(tag: str, text: str) -> bytes:
    """A text-plugin Summary: a DT_STRING tensor of shape [1] tagged ``<tag>/text_summary``."""
    # TextPluginData(version=0) serializes to nothing.
    proto = (P.f_varint(1, _DT["DT_STRING"]) + P.f_bytes(2, _shape([1]), always=True)
             + P.f_bytes(8, text.encode("utf_8"), always=True))
    return _summary(_value(tag + "/text_summary", tensor=proto,
                           metadata=_plugin_metadata("text")))


# ---- hparams ----------------------------------------------------------------------------

_HP_FLOAT64, _HP_STRING = 3, 1  # hparams DataType enum
_STATUS_SUCCESS = 1


def _number_value(v: float) -> bytes:
    """google.protobuf.Value{number_value} (a oneof member: always written)."""
    return P.f_double(2, v, always=True)


def _string_value(v: str) -> bytes:
    return P.f_str(3, v, always=True)


def _hparams_summary(tag: str, plugin_data: bytes) -> bytes:
    # HParamsPluginData.version is 0 (PLUGIN_DATA_VERSION), so it is left out.
    return _summary(_value(tag, metadata=_plugin_metadata("hparams", plugin_data)))


def hparams(hparam_dict: dict | None = None, metric_dict: dict | None = None,
            hparam_domain_discrete: dict | None = None) -> tuple[bytes, bytes, bytes]:
    """The hparams plugin's experiment, session-start and session-end Summaries."""
    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    hparam_domain_discrete = hparam_domain_discrete or {}
    if not isinstance(hparam_domain_discrete, dict):
        raise TypeError(
            "parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in hparam_domain_discrete.items():
        if (k not in hparam_dict or not isinstance(v, list)
                or not all(isinstance(d, type(hparam_dict[k])) for d in v)):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of "
                            f"same type as hparam_dict[{k}].")
    infos = []
    entries = []
    for k, v in hparam_dict.items():
        if v is None:
            continue
        domain = None
        # NOTE: bool is an int, so PyTorch records booleans as numbers (1.0 / 0.0) too.
        if isinstance(v, (int, float)):
            value, kind = _number_value(v), _HP_FLOAT64
            if k in hparam_domain_discrete:
                domain = [_number_value(d) for d in hparam_domain_discrete[k]]
        elif isinstance(v, str):
            value, kind = _string_value(v), _HP_STRING
            if k in hparam_domain_discrete:
                domain = [_string_value(d) for d in hparam_domain_discrete[k]]
        elif isinstance(v, Tensor):
            value, kind = _number_value(make_np(v)[0]), _HP_FLOAT64
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        entries.append(P.f_str(1, k) + P.f_bytes(2, value, always=True))
        info = P.f_str(1, k) + P.f_varint(4, kind)
        if domain is not None:  # ListValue{values}
            info += P.f_bytes(5, b"".join(P.f_bytes(1, d, always=True) for d in domain),
                              always=True)
        infos.append(info)
    # SessionStartInfo{hparams: map<string, Value>} inside HParamsPluginData field 3.
    ssi_msg = b"".join(P.f_bytes(1, e, always=True) for e in entries)
    ssi = _hparams_summary("_hparams_/session_start_info", P.f_bytes(3, ssi_msg, always=True))
    # Experiment{hparam_infos, metric_infos: [MetricInfo{name: MetricName{tag}}]}.
    metrics = [P.f_bytes(1, P.f_str(2, k), always=True) for k in metric_dict]
    exp_msg = (b"".join(P.f_bytes(4, i, always=True) for i in infos)
               + b"".join(P.f_bytes(5, m, always=True) for m in metrics))
    exp = _hparams_summary("_hparams_/experiment", P.f_bytes(2, exp_msg, always=True))
    sei_msg = P.f_varint(1, _STATUS_SUCCESS)
    sei = _hparams_summary("_hparams_/session_end_info", P.f_bytes(4, sei_msg, always=True))
    return exp, ssi, sei


# ---- audio ------------------------------------------------------------------------------

def audio(tag: str, tensor: Any, sample_rate: int = 44100) -> bytes:
    """An audio Summary: mono 16-bit WAV of a 1-D signal in [-1, 1] (clipped, with PyTorch's
    printed warning, when it goes beyond)."""
    import wave

    array = make_np(tensor).squeeze()
    if abs(array).max() > 1:
        print("warning: audio amplitude out of range, auto clipped.")
        array = array.clip(-1, 1)
    if array.ndim != 1:
        raise AssertionError("input tensor should be 1 dimensional.")
    array = (array * np.iinfo(np.int16).max).astype("<i2")
    fio = io.BytesIO()
    with wave.open(fio, "wb") as wave_write:
        wave_write.setnchannels(1)
        wave_write.setsampwidth(2)
        wave_write.setframerate(sample_rate)
        wave_write.writeframes(array.data)
    proto = (P.f_float(1, sample_rate) + P.f_varint(2, 1) + P.f_varint(3, array.shape[-1])
             + P.f_bytes(4, fio.getvalue()) + P.f_str(5, "audio/wav"))
    return _summary(_value(tag, audio=proto))


# ---- precision-recall curves ------------------------------------------------------------

def compute_curve(labels: np.ndarray, predictions: np.ndarray, num_thresholds: int,
                  weights: Any = None) -> np.ndarray:
    """The (6, num_thresholds) table tp, fp, tn, fn, precision, recall of the pr_curves
    plugin: predictions are bucketed by threshold, counts are reverse cumulative sums."""
    minimum_count = 1e-7
    if weights is None:
        weights = 1.0
    bucket_indices = np.int32(np.floor(predictions * (num_thresholds - 1)))
    float_labels = labels.astype(np.float64)
    histogram_range = (0, num_thresholds - 1)
    tp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=histogram_range,
                                 weights=float_labels * weights)
    fp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=histogram_range,
                                 weights=(1.0 - float_labels) * weights)
    tp = np.cumsum(tp_buckets[::-1])[::-1]
    fp = np.cumsum(fp_buckets[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(minimum_count, tp + fp)
    recall = tp / np.maximum(minimum_count, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


def _pr_curve_summary(tag: str, data: np.ndarray, num_thresholds: int) -> bytes:
    # PrCurvePluginData{version: 0, num_thresholds}.
    content = P.f_varint(2, num_thresholds)
    proto = (P.f_varint(1, _DT["DT_FLOAT"]) + P.f_bytes(2, _shape(data.shape), always=True)
             + P.f_packed_float(5, data.reshape(-1)))
    return _summary(_value(tag, tensor=proto, metadata=_plugin_metadata("pr_curves", content)))


def pr_curve(tag: str, labels: np.ndarray, predictions: np.ndarray,
             num_thresholds: int = 127, weights: Any = None) -> bytes:
    """A pr_curves Summary from binary labels and predicted probabilities (at most 127
    thresholds, as PyTorch)."""
    num_thresholds = min(num_thresholds, 127)
    data = compute_curve(labels, predictions, num_thresholds=num_thresholds, weights=weights)
    return _pr_curve_summary(tag, data, num_thresholds)


def pr_curve_raw(tag: str, tp: Any, fp: Any, tn: Any, fn: Any, precision: Any, recall: Any,
                 num_thresholds: int = 127, weights: Any = None) -> bytes:
    """A pr_curves Summary from precomputed counts; ``weights`` is unused, as in PyTorch."""
    num_thresholds = min(num_thresholds, 127)
    data = np.stack((tp, fp, tn, fn, precision, recall))
    return _pr_curve_summary(tag, data, num_thresholds)


# ---- custom scalars layout --------------------------------------------------------------

def custom_scalars(layout: dict) -> bytes:
    """The custom_scalars plugin's layout Summary. ``layout`` maps category titles to
    {chart title: ['Multiline', tags] or ['Margin', [value, lower, upper]]}."""
    categories = []
    for k, v in layout.items():
        charts = []
        for chart_name, chart_metadata in v.items():
            tags = chart_metadata[1]
            if chart_metadata[0] == "Margin":
                if len(tags) != 3:
                    raise AssertionError("len(tags) != 3")
                series = P.f_str(1, tags[0]) + P.f_str(2, tags[1]) + P.f_str(3, tags[2])
                content = P.f_bytes(3, P.f_bytes(1, series, always=True), always=True)
            else:
                content = P.f_bytes(2, b"".join(P.f_str(1, t, always=True) for t in tags),
                                    always=True)
            charts.append(P.f_str(1, chart_name) + content)
        categories.append(P.f_str(1, k) + b"".join(P.f_bytes(2, c, always=True)
                                                   for c in charts))
    layout_msg = b"".join(P.f_bytes(2, c, always=True) for c in categories)
    # A DT_STRING tensor with an empty (set) shape holding the serialized Layout.
    proto = (P.f_varint(1, _DT["DT_STRING"]) + P.f_bytes(2, b"", always=True)
             + P.f_bytes(8, layout_msg, always=True))
    return _summary(_value("custom_scalars__config__", tensor=proto,
                           metadata=_plugin_metadata("custom_scalars")))


# ---- meshes -----------------------------------------------------------------------------

_MESH_CONTENT = (("VERTEX", 1), ("FACE", 2), ("COLOR", 3))


def mesh(tag: str, vertices: Any, colors: Any, faces: Any, config_dict: dict | None,
         display_name: str | None = None, description: str | None = None) -> bytes:
    """The mesh plugin's Summary: one float tensor of shape (B, N, 3) per given part
    (vertices, faces, colors), tagged ``<tag>_VERTEX`` etc."""
    from ... import as_tensor

    json_config = "{}" if config_dict is None else json.dumps(config_dict, sort_keys=True)
    parts = [(t, kind) for t, kind in zip((vertices, faces, colors), _MESH_CONTENT)
             if t is not None]
    components = 0
    for _, (_, number) in parts:
        components |= 1 << number
    values = []
    for part, (name, number) in parts:
        t = as_tensor(part)
        if len(t.shape) != 3:
            raise ValueError("Tensor shape should be of shape BxNx3, but got %s."
                             % str(t.shape))
        # MeshPluginData{version: 0, name, content_type, json_config, shape, components}.
        content = (P.f_str(2, tag) + P.f_varint(3, number) + P.f_str(5, json_config)
                   + P.f_packed_varint(6, list(t.shape)) + P.f_varint(7, components))
        metadata = _plugin_metadata("mesh", content, display_name or "", description or "")
        proto = (P.f_varint(1, _DT["DT_FLOAT"]) + P.f_bytes(2, _shape(t.shape), always=True)
                 + P.f_packed_float(5, t.detach().numpy().reshape(-1)))
        values.append(_value(f"{tag}_{name}", tensor=proto, metadata=metadata))
    return _summary(*values)
