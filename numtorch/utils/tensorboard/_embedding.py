"""Files of the embedding projector: tensors.tsv, metadata.tsv, sprite.png and the
projector_config.pbtxt that lists the embeddings (protobuf text format, written here)."""
from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from ._png import encode_png
from .summary import make_grid, make_np


def make_tsv(metadata: list, save_path: str, metadata_header: list | None = None) -> None:
    """metadata.tsv: one label per line, or a header row and tab-separated columns."""
    if not metadata_header:
        metadata = [str(x) for x in metadata]
    else:
        if len(metadata_header) != len(metadata[0]):
            raise AssertionError(
                "len of header must be equal to the number of columns in metadata")
        metadata = ["\t".join(str(e) for e in row) for row in [metadata_header] + metadata]
    with open(os.path.join(save_path, "metadata.tsv"), "wb") as f:
        f.write(("\n".join(metadata) + "\n").encode("utf-8"))


def make_sprite(label_img: Any, save_path: str) -> None:
    """sprite.png: the label images tiled in a square grid of ceil(sqrt(N)) columns."""
    nrow = math.ceil(label_img.size(0) ** 0.5)
    arranged_chw = make_grid(make_np(label_img), ncols=nrow)
    # NOTE: PyTorch pads to a square of the grid's width (the projector wants a square).
    square_hwc = np.zeros((arranged_chw.shape[2], arranged_chw.shape[2], 3))
    arranged_hwc = arranged_chw.transpose(1, 2, 0)
    square_hwc[:arranged_hwc.shape[0], :, :] = arranged_hwc
    pixels = np.uint8((square_hwc * 255).clip(0, 255))
    with open(os.path.join(save_path, "sprite.png"), "wb") as f:
        f.write(encode_png(pixels))


def make_mat(mat: np.ndarray, save_path: str) -> None:
    """tensors.tsv: one tab-separated row per data point (Python reprs of the values)."""
    with open(os.path.join(save_path, "tensors.tsv"), "wb") as f:
        for row in mat:
            f.write(("\t".join(str(v.item()) for v in row) + "\n").encode("utf-8"))


_ESCAPES = {"\n": r"\n", "\r": r"\r", "\t": r"\t", '"': r"\"", "'": r"\'", "\\": r"\\"}


def _quote(s: str) -> str:
    """A text-format string literal (protobuf's C escaping; other characters kept as is)."""
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\%03o" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def embedding_info(metadata: Any, label_img: Any, subdir: str, global_step: int,
                   tag: str) -> list[str]:
    """The lines of one ``embeddings { ... }`` entry (EmbeddingInfo in text format)."""
    lines = ["embeddings {",
             f"  tensor_name: {_quote(f'{tag}:{str(global_step).zfill(5)}')}"]
    if metadata is not None:
        lines.append(f"  metadata_path: {_quote(subdir + '/metadata.tsv')}")
    if label_img is not None:
        lines += ["  sprite {", f"    image_path: {_quote(subdir + '/sprite.png')}",
                  f"    single_image_dim: {label_img.size(3)}",
                  f"    single_image_dim: {label_img.size(2)}", "  }"]
    lines += [f"  tensor_path: {_quote(subdir + '/tensors.tsv')}", "}"]
    return lines


def write_pbtxt(save_path: str, lines: list[str]) -> None:
    with open(os.path.join(save_path, "projector_config.pbtxt"), "wb") as f:
        f.write(("\n".join(lines) + "\n").encode("utf-8"))
