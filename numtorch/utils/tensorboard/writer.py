"""SummaryWriter and FileWriter: TensorBoard event files written without TensorFlow,
tensorboard or protobuf (see ``_proto`` for the encoding).

Unlike PyTorch, which hands records to a background thread, numtorch writes synchronously:
each event goes into the file's buffer at once, and the file is flushed to disk when
``max_queue`` events are unflushed, when ``flush_secs`` seconds have passed since the last
flush (checked on each add), on ``flush()`` / ``close()``, and at interpreter exit for
writers never closed. Events carry the same payloads as PyTorch's (images: the same pixels,
PNG-encoded by numtorch's own encoder, so the PNG bytes differ).
"""
from __future__ import annotations

import atexit
import os
import socket
import threading
import time
import weakref
from typing import Any

from . import _proto as P
from ._embedding import embedding_info, make_mat, make_sprite, make_tsv, write_pbtxt
from .summary import (audio, custom_scalars, figure_to_image, histogram, histogram_raw,
                      hparams, image, image_boxes, make_np, mesh, pr_curve, pr_curve_raw,
                      scalar, tensor_proto, text)

__all__ = ["FileWriter", "SummaryWriter"]

_uid_lock = threading.Lock()
_next_uid = [0]


def _global_uid() -> int:
    """Per-process counter that keeps event file names unique (as tensorboard's writer)."""
    with _uid_lock:
        uid = _next_uid[0]
        _next_uid[0] += 1
    return uid


def _event(wall_time: float, step: int | None = None, *, file_version: str | None = None,
           summary: bytes | None = None, session_log_status: int | None = None,
           source_writer: str | None = None) -> bytes:
    """Encoded Event: wall_time (1), step (2) and one member of its ``what`` oneof."""
    out = P.f_double(1, wall_time)
    if step is not None:
        out += P.f_varint(2, step)
    if file_version is not None:
        out += P.f_str(3, file_version, always=True)
    if summary is not None:
        out += P.f_bytes(5, summary, always=True)
    if session_log_status is not None:  # SessionLog{status}
        out += P.f_bytes(7, P.f_varint(1, session_log_status), always=True)
    if source_writer is not None:  # SourceMetadata{writer}
        out += P.f_bytes(10, P.f_str(1, source_writer), always=True)
    return out


class _EventFileWriter:
    """One ``events.out.tfevents.*`` file (see the module note on flushing)."""

    __slots__ = ("_logdir", "_file_name", "_file", "_unflushed", "_max_queue", "_flush_secs",
                 "_last_flush", "__weakref__")

    def __init__(self, logdir: str, max_queue: int = 10, flush_secs: float = 120,
                 filename_suffix: str = "") -> None:
        self._logdir = logdir
        os.makedirs(logdir, exist_ok=True)
        self._file_name = os.path.join(
            logdir, "events.out.tfevents.%010d.%s.%s.%s" % (
                time.time(), socket.gethostname(), os.getpid(), _global_uid())
        ) + filename_suffix
        self._max_queue = max_queue
        self._flush_secs = flush_secs
        self._unflushed = 0
        self._file = open(self._file_name, "wb")
        self._last_flush = time.time()
        _open_writers.add(self)
        self.add_event(_event(time.time(), file_version="brain.Event:2",
                              source_writer="tensorboard.summary.writer.event_file_writer"))
        self.flush()

    def get_logdir(self) -> str:
        return self._logdir

    def add_event(self, event: bytes) -> None:
        if self._file is None:
            raise OSError("Writer is closed")
        # Records go to the file object's buffer at once; flush() pushes them to disk.
        self._file.write(P.frame_record(event))
        self._unflushed += 1
        if (self._unflushed >= self._max_queue
                or time.time() - self._last_flush >= self._flush_secs):
            self.flush()

    def flush(self) -> None:
        if self._file is None:
            raise OSError("Writer is closed")
        self._file.flush()
        self._unflushed = 0
        self._last_flush = time.time()

    def close(self) -> None:
        if self._file is not None:
            self.flush()
            self._file.close()
            self._file = None
            _open_writers.discard(self)


# Writers not closed by the program are flushed at exit, so no event is lost (PyTorch's
# background thread writes them out as well).
_open_writers: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _flush_open_writers() -> None:
    for writer in list(_open_writers):
        writer.close()


class FileWriter:
    """Writes events to an event file in ``log_dir``.

    A new file ``events.out.tfevents.<time>.<hostname>.<pid>.<n><filename_suffix>`` is
    created at construction, starting with a ``brain.Event:2`` file-version event.
    """

    def __init__(self, log_dir: Any, max_queue: int = 10, flush_secs: float = 120,
                 filename_suffix: str = "") -> None:
        log_dir = str(log_dir)
        self._args = (log_dir, max_queue, flush_secs, filename_suffix)
        self.event_writer = _EventFileWriter(log_dir, max_queue, flush_secs, filename_suffix)
        self._closed = False

    def get_logdir(self) -> str:
        """The directory the event file is written to."""
        return self.event_writer.get_logdir()

    def add_event(self, event: Any, step: int | None = None,
                  walltime: float | None = None) -> None:
        """Write an ``Event`` protobuf object (e.g. tensorboard's ``event_pb2.Event``; numtorch
        itself has no protobuf classes), setting its wall time and, if given, its step."""
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event.SerializeToString())

    def _add(self, step: int | None, walltime: float | None, **what: Any) -> None:
        wall = time.time() if walltime is None else walltime
        self.event_writer.add_event(
            _event(wall, None if step is None else int(step), **what))

    def add_summary(self, summary: Any, global_step: int | None = None,
                    walltime: float | None = None) -> None:
        """Wrap a Summary in an Event (with wall time and step) and write it. ``summary`` is
        the encoded message (what numtorch's summary builders return) or a protobuf
        ``Summary`` object."""
        if not isinstance(summary, bytes):
            summary = summary.SerializeToString()
        self._add(global_step, walltime, summary=summary)

    def flush(self) -> None:
        """Write all pending events to disk."""
        self.event_writer.flush()

    def close(self) -> None:
        """Flush and close the event file."""
        self.event_writer.close()
        self._closed = True

    def reopen(self) -> None:
        """After ``close()``, continue in a new event file in the same directory."""
        if self._closed:
            self.event_writer = _EventFileWriter(*self._args)
            self._closed = False


def _default_bins() -> list[float]:
    # TensorFlow's default histogram buckets: +-1e-12 * 1.1**k up to 1e20, and 0.
    v = 1e-12
    buckets = []
    neg_buckets = []
    while v < 1e20:
        buckets.append(v)
        neg_buckets.append(-v)
        v *= 1.1
    return neg_buckets[::-1] + [0] + buckets


class SummaryWriter:
    """Writes summaries to TensorBoard event files in ``log_dir``.

    ``log_dir`` defaults to ``runs/<Mon><DD>_<HH>-<MM>-<SS>_<hostname><comment>``.
    With ``purge_step``, the file starts with a file-version and a SessionLog START event at
    that step, which makes TensorBoard hide events of an earlier run from that step on.
    ``max_queue`` and ``flush_secs`` control when buffered events reach the disk; writing is
    synchronous here (see the module docstring). ``filename_suffix`` is appended to event file
    names.
    """

    def __init__(self, log_dir: Any = None, comment: str = "", purge_step: int | None = None,
                 max_queue: int = 10, flush_secs: float = 120,
                 filename_suffix: str = "") -> None:
        if not log_dir:
            from datetime import datetime
            current_time = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer: FileWriter | None = None
        self.all_writers: dict[str, FileWriter] | None = None
        self._get_file_writer()
        self.default_bins = _default_bins()
        self._projector_lines: list[str] = []

    def _get_file_writer(self) -> FileWriter:
        """The main FileWriter; a new one (new file) after ``close()``."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs,
                                          self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                step = self.purge_step
                self.file_writer._add(step, None, file_version="brain.Event:2")
                self.file_writer._add(step, None, session_log_status=1)  # START
                self.purge_step = None
        return self.file_writer

    def get_logdir(self) -> str:
        """The directory event files are written to."""
        return self.log_dir

    def add_hparams(self, hparam_dict: dict, metric_dict: dict,
                    hparam_domain_discrete: dict | None = None, run_name: str | None = None,
                    global_step: int | None = None) -> None:
        """Record hyperparameters and metrics for the HParams dashboard, in the sub-run
        ``<log_dir>/<run_name>`` (run_name defaults to the current time)."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        exp, ssi, sei = hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=logdir) as w_hp:
            w_hp.file_writer.add_summary(exp, global_step)
            w_hp.file_writer.add_summary(ssi, global_step)
            w_hp.file_writer.add_summary(sei, global_step)
            for k, v in metric_dict.items():
                w_hp.add_scalar(k, v, global_step)

    def add_scalar(self, tag: str, scalar_value: Any, global_step: int | None = None,
                   walltime: float | None = None, new_style: bool = False,
                   double_precision: bool = False) -> None:
        """Record one scalar (a number or a one-element tensor/array) at ``global_step``."""
        summary = scalar(tag, scalar_value, new_style=new_style,
                         double_precision=double_precision)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict,
                    global_step: int | None = None, walltime: float | None = None) -> None:
        """Record several scalars in one chart: each goes, under ``main_tag``, to its own run
        ``<log_dir>/<main_tag with / as _>_<tag>``."""
        walltime = time.time() if walltime is None else walltime
        fw_logdir = self._get_file_writer().get_logdir()
        for tag, scalar_value in tag_scalar_dict.items():
            fw_tag = fw_logdir + "/" + main_tag.replace("/", "_") + "_" + tag
            fw = self.all_writers.get(fw_tag)
            if fw is None:
                fw = FileWriter(fw_tag, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[fw_tag] = fw
            fw.add_summary(scalar(main_tag, scalar_value), global_step, walltime)

    def add_tensor(self, tag: str, tensor: Any, global_step: int | None = None,
                   walltime: float | None = None) -> None:
        """Record a whole tensor (tensor plugin)."""
        self._get_file_writer().add_summary(tensor_proto(tag, tensor), global_step, walltime)

    def add_histogram(self, tag: str, values: Any, global_step: int | None = None,
                      bins: Any = "tensorflow", walltime: float | None = None,
                      max_bins: int | None = None) -> None:
        """Record a histogram of ``values``; ``bins`` is 'tensorflow' (TensorFlow's
        exponential buckets) or anything ``numpy.histogram`` accepts."""
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._get_file_writer().add_summary(histogram(tag, values, bins, max_bins=max_bins),
                                            global_step, walltime)

    def add_histogram_raw(self, tag: str, min: float, max: float, num: int, sum: float,
                          sum_squares: float, bucket_limits: Any, bucket_counts: Any,
                          global_step: int | None = None,
                          walltime: float | None = None) -> None:
        """Record a histogram from precomputed statistics (right limits and counts)."""
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        self._get_file_writer().add_summary(
            histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts),
            global_step, walltime)

    def add_image(self, tag: str, img_tensor: Any, global_step: int | None = None,
                  walltime: float | None = None, dataformats: str = "CHW") -> None:
        """Record an image (PNG-encoded; float data in [0, 1], uint8 in [0, 255])."""
        self._get_file_writer().add_summary(image(tag, img_tensor, dataformats=dataformats),
                                            global_step, walltime)

    def add_images(self, tag: str, img_tensor: Any, global_step: int | None = None,
                   walltime: float | None = None, dataformats: str = "NCHW") -> None:
        """Record a batch of images, tiled into one grid image (8 per row)."""
        self._get_file_writer().add_summary(image(tag, img_tensor, dataformats=dataformats),
                                            global_step, walltime)

    def add_image_with_boxes(self, tag: str, img_tensor: Any, box_tensor: Any,
                             global_step: int | None = None, walltime: float | None = None,
                             rescale: float = 1, dataformats: str = "CHW",
                             labels: Any = None) -> None:
        """Record an image with boxes (N x 4: xmin, ymin, xmax, ymax) drawn on it; ``labels``
        (one per box, else ignored) are written on the boxes. Needs Pillow, as in PyTorch."""
        if labels is not None:
            if isinstance(labels, str):
                labels = [labels]
            if len(labels) != box_tensor.shape[0]:
                labels = None
        self._get_file_writer().add_summary(
            image_boxes(tag, img_tensor, box_tensor, rescale=rescale, dataformats=dataformats,
                        labels=labels), global_step, walltime)

    def add_figure(self, tag: str, figure: Any, global_step: int | None = None,
                   close: bool = True, walltime: float | None = None) -> None:
        """Render a matplotlib figure (or a list of them) and record it as an image."""
        if isinstance(figure, list):
            self.add_image(tag, figure_to_image(figure, close), global_step, walltime,
                           dataformats="NCHW")
        else:
            self.add_image(tag, figure_to_image(figure, close), global_step, walltime,
                           dataformats="CHW")

    def add_text(self, tag: str, text_string: str, global_step: int | None = None,
                 walltime: float | None = None) -> None:
        """Record a (markdown) string, under the tag ``<tag>/text_summary``."""
        self._get_file_writer().add_summary(text(tag, text_string), global_step, walltime)

    def add_audio(self, tag: str, snd_tensor: Any, global_step: int | None = None,
                  sample_rate: int = 44100, walltime: float | None = None) -> None:
        """Record a mono signal of values in [-1, 1] as 16-bit WAV audio."""
        self._get_file_writer().add_summary(audio(tag, snd_tensor, sample_rate=sample_rate),
                                            global_step, walltime)

    def add_pr_curve(self, tag: str, labels: Any, predictions: Any,
                     global_step: int | None = None, num_thresholds: int = 127,
                     weights: Any = None, walltime: float | None = None) -> None:
        """Record a precision-recall curve from binary labels and probabilities."""
        labels, predictions = make_np(labels), make_np(predictions)
        self._get_file_writer().add_summary(
            pr_curve(tag, labels, predictions, num_thresholds, weights), global_step, walltime)

    def add_pr_curve_raw(self, tag: str, true_positive_counts: Any,
                         false_positive_counts: Any, true_negative_counts: Any,
                         false_negative_counts: Any, precision: Any, recall: Any,
                         global_step: int | None = None, num_thresholds: int = 127,
                         weights: Any = None, walltime: float | None = None) -> None:
        """Record a precision-recall curve from precomputed counts, precision and recall."""
        self._get_file_writer().add_summary(
            pr_curve_raw(tag, true_positive_counts, false_positive_counts,
                         true_negative_counts, false_negative_counts, precision, recall,
                         num_thresholds, weights), global_step, walltime)

    def add_custom_scalars_multilinechart(self, tags: list, category: str = "default",
                                          title: str = "untitled") -> None:
        """A custom-scalars layout with one multi-line chart of ``tags``."""
        self._get_file_writer().add_summary(
            custom_scalars({category: {title: ["Multiline", tags]}}))

    def add_custom_scalars_marginchart(self, tags: list, category: str = "default",
                                       title: str = "untitled") -> None:
        """A custom-scalars layout with one margin chart of ``[value, lower, upper]`` tags."""
        if len(tags) != 3:
            raise AssertionError(f"Expected 3 tags, got {len(tags)}.")
        self._get_file_writer().add_summary(
            custom_scalars({category: {title: ["Margin", tags]}}))

    def add_custom_scalars(self, layout: dict) -> None:
        """Record the custom-scalars plugin layout (categories of multi-line / margin
        charts over scalar tags)."""
        self._get_file_writer().add_summary(custom_scalars(layout))

    def add_mesh(self, tag: str, vertices: Any, colors: Any = None, faces: Any = None,
                 config_dict: dict | None = None, global_step: int | None = None,
                 walltime: float | None = None) -> None:
        """Record a 3D mesh or point cloud (B x N x 3 vertices, optional colors and faces)."""
        self._get_file_writer().add_summary(mesh(tag, vertices, colors, faces, config_dict),
                                            global_step, walltime)

    def add_video(self, tag: str, vid_tensor: Any, global_step: int | None = None,
                  fps: float = 4, walltime: float | None = None) -> None:
        """Not supported: PyTorch encodes the GIF with moviepy."""
        raise NotImplementedError("SummaryWriter.add_video is not supported by numtorch")

    def add_onnx_graph(self, prototxt: Any) -> None:
        """Not supported: needs onnx."""
        raise NotImplementedError("SummaryWriter.add_onnx_graph is not supported by numtorch")

    def add_graph(self, model: Any, input_to_model: Any = None, verbose: bool = False,
                  use_strict_trace: bool = True) -> None:
        """Not supported: PyTorch traces the model with torch.jit into a GraphDef."""
        raise NotImplementedError("SummaryWriter.add_graph (model graph tracing) is not "
                                  "supported by numtorch")

    @staticmethod
    def _encode(rawstr: str) -> str:
        # Percent-encode the characters that would break the embedding's directory name.
        return rawstr.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")

    def add_embedding(self, mat: Any, metadata: list | None = None, label_img: Any = None,
                      global_step: int | None = None, tag: str = "default",
                      metadata_header: list | None = None) -> None:
        """Add an embedding for the projector: ``mat`` (N x D) goes to
        ``<log_dir>/<step:05d>/<tag>/tensors.tsv``, with optional ``metadata`` labels
        (metadata.tsv) and ``label_img`` (N x C x H x W, sprite.png); every embedding is
        listed in ``<log_dir>/projector_config.pbtxt``."""
        mat = make_np(mat)
        if global_step is None:
            global_step = 0
        subdir = f"{str(global_step).zfill(5)}/{self._encode(tag)}"
        save_path = os.path.join(self._get_file_writer().get_logdir(), subdir)
        if os.path.exists(save_path):
            if os.path.isdir(save_path):
                print("warning: Embedding dir exists, did you set global_step for "
                      "add_embedding()?")
            else:
                raise NotADirectoryError(
                    f"Path: `{save_path}` exists, but is a file. Cannot proceed.")
        else:
            os.makedirs(save_path)
        if metadata is not None:
            if mat.shape[0] != len(metadata):
                raise AssertionError("#labels should equal with #data points")
            make_tsv(metadata, save_path, metadata_header=metadata_header)
        if label_img is not None:
            if mat.shape[0] != label_img.shape[0]:
                raise AssertionError("#images should equal with #data points")
            make_sprite(label_img, save_path)
        if mat.ndim != 2:
            raise AssertionError(
                "mat should be 2D, where mat.size(0) is the number of data points")
        make_mat(mat, save_path)
        # The config is rewritten whole each time (no append on every filesystem).
        self._projector_lines += embedding_info(metadata, label_img, subdir, global_step, tag)
        write_pbtxt(self._get_file_writer().get_logdir(), self._projector_lines)

    def flush(self) -> None:
        """Write every pending event of every run to disk."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self) -> None:
        """Flush and close all event files; a later add starts a new file."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        self.close()
