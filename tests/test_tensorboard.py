"""numtorch.utils.tensorboard against torch.utils.tensorboard: the event files are read back
with a small TFRecord/protobuf reader written here, with tensorboard's own loaders, and
compared event by event with the files PyTorch writes for the same calls."""
import glob
import io
import os
import struct

import matplotlib
import numpy as np
import pytest
import torch
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c as tb_crc
from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData
from torch.utils.tensorboard import SummaryWriter as TorchWriter

import numtorch
from numtorch.utils.tensorboard import FileWriter, SummaryWriter
from numtorch.utils.tensorboard import _proto

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


# ---- a minimal reader, independent of tensorboard ----------------------------------------

def _crc32c_bitwise(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_records(path):
    """Payloads of a TFRecord file, checking both masked CRCs of every record."""
    with open(path, "rb") as f:
        buf = f.read()
    out, pos = [], 0
    while pos < len(buf):
        header = buf[pos:pos + 8]
        (n,) = struct.unpack("<Q", header)
        assert struct.unpack("<I", buf[pos + 8:pos + 12])[0] == _crc32c_bitwise(header)
        data = buf[pos + 12:pos + 12 + n]
        assert struct.unpack("<I", buf[pos + 12 + n:pos + 16 + n])[0] == _crc32c_bitwise(data)
        out.append(data)
        pos += 16 + n
    return out


def _read_varint(buf, pos):
    n = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return n, pos


def decode(buf):
    """Generic protobuf decode: {field number: [raw values]} (bytes for length-delimited)."""
    fields, pos = {}, 0
    while pos < len(buf):
        key, pos = _read_varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            val, pos = _read_varint(buf, pos)
        elif wire == 1:
            val, pos = buf[pos:pos + 8], pos + 8
        elif wire == 5:
            val, pos = buf[pos:pos + 4], pos + 4
        elif wire == 2:
            n, pos = _read_varint(buf, pos)
            val, pos = buf[pos:pos + n], pos + n
        else:
            raise AssertionError(f"wire type {wire}")
        fields.setdefault(field, []).append(val)
    return fields


def event_files(d):
    return sorted(glob.glob(os.path.join(str(d), "**", "events.out.tfevents.*"),
                            recursive=True))


def load_runs(d):
    """{run subdirectory: [Event protos]}; the wall times of events written with the current
    time (the header and purge events) are zeroed."""
    runs = {}
    for f in event_files(d):
        run = os.path.relpath(os.path.dirname(f), str(d))
        evs = list(LegacyEventFileLoader(f).Load())
        assert evs[0].file_version == "brain.Event:2"
        for ev in evs:
            if not ev.HasField("summary"):
                ev.wall_time = 0
        runs.setdefault(run, []).extend(evs)
    return runs


def both(tmp_path, fn):
    """Run fn(writer_class, module, logdir) for numtorch and torch; return both runs."""
    fn(SummaryWriter, numtorch, str(tmp_path / "n"))
    fn(TorchWriter, torch, str(tmp_path / "t"))
    return load_runs(tmp_path / "n"), load_runs(tmp_path / "t")


# ---- framing and encoding ----------------------------------------------------------------

def test_crc32c_and_varint():
    assert _proto.crc32c(b"123456789") == 0xE3069283
    rs = np.random.RandomState(6)
    # Inputs of 4096 bytes or more take the lane-parallel path.
    for n in [0, 1, 300, 4095, 4096, 4097, 5000, 30001, 200003]:
        data = rs.randint(0, 256, n).astype(np.uint8).tobytes()
        assert _proto.masked_crc32c(data) == tb_crc(data), n
        if n <= 5000:
            assert _proto.masked_crc32c(data) == _crc32c_bitwise(data), n
    assert _proto.varint(300) == b"\xac\x02"
    assert _proto.varint(-1) == b"\xff" * 9 + b"\x01"


def test_scalar_records_are_byte_identical_to_torch(tmp_path):
    def fn(W, mod, d):
        w = W(d)
        w.add_scalar("loss", 0.25, 3, walltime=12.5)
        w.add_scalar("acc", mod.tensor(0.0), walltime=13.0)
        w.add_scalar("x/y", np.float32(-1.5), 0, walltime=14.0)
        w.close()
    fn(SummaryWriter, numtorch, str(tmp_path / "n"))
    fn(TorchWriter, torch, str(tmp_path / "t"))
    (fn_,), (ft,) = event_files(tmp_path / "n"), event_files(tmp_path / "t")
    rn, rt = read_records(fn_), read_records(ft)
    assert rn[1:] == rt[1:]
    # The hand decoder sees what PyTorch writes: Event{wall_time, step, summary{value}}.
    ev = decode(rn[1])
    assert struct.unpack("<d", ev[1][0])[0] == 12.5 and ev[2] == [3]
    value = decode(decode(ev[5][0])[1][0])
    assert value[1] == [b"loss"] and struct.unpack("<f", value[2][0])[0] == 0.25
    assert 2 not in decode(rn[2])  # step None: no step field
    head = decode(rn[0])
    assert head[3] == [b"brain.Event:2"]


def test_event_file_name_and_default_logdir(tmp_path, monkeypatch):
    import socket
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1", filename_suffix=".sfx")
    w.close()
    (d,) = os.listdir(tmp_path / "runs")
    assert d.endswith("_" + socket.gethostname() + "_lr0.1") and w.get_logdir() == \
        os.path.join("runs", d)
    (f,) = os.listdir(tmp_path / "runs" / d)
    parts = f.split(".")
    assert f.startswith("events.out.tfevents.") and f.endswith(".sfx")
    assert len(parts[3]) == 10 and parts[3].isdigit()
    assert str(os.getpid()) in f and socket.gethostname() in f


def test_scalars_tensor_text_hparams_match_torch(tmp_path):
    def fn(W, mod, d):
        w = W(d, purge_step=3)
        w.add_scalar("loss", 0.5, 1, walltime=1.0)
        w.add_scalar("int", 7, 2, walltime=1.0)
        w.add_scalar("one", mod.tensor([[2.5]]), 2, walltime=1.0)
        w.add_scalar("ns", 2, 5, walltime=1.0, new_style=True)
        w.add_scalar("ns2", 1 / 3, 5, walltime=1.0, new_style=True, double_precision=True)
        w.add_scalars("m/a", {"x": 1, "y": 2.5}, 4, walltime=2.0)
        w.add_scalars("m/a", {"x": 3}, 5, walltime=2.0)
        w.add_tensor("tf", mod.tensor([[1.0, -2.0], [3.0, 4.5]]), 1, walltime=1.0)
        w.add_tensor("td", mod.tensor([1.0, 2.0], dtype=mod.float64), 1, walltime=1.0)
        w.add_tensor("ti", mod.tensor([[1, -2], [3, 4]]), 1, walltime=1.0)
        w.add_tensor("ti32", mod.tensor([-1, 5], dtype=mod.int32), 1, walltime=1.0)
        w.add_tensor("tb", mod.tensor([True, False]), 1, walltime=1.0)
        w.add_tensor("tu8", mod.tensor([0, 200], dtype=mod.uint8), 1, walltime=1.0)
        w.add_tensor("th", mod.tensor([1.5, -2.0], dtype=mod.float16), 1, walltime=1.0)
        w.add_text("t", "hello **x** ünï", 3, walltime=1.0)
        w.add_hparams({"lr": 0.1, "b": True, "opt": "sgd", "n": None, "k": 3},
                      {"hp/acc": 0.9, "hp/loss": 1}, run_name="r",
                      hparam_domain_discrete={"opt": ["sgd", "adam"], "k": [3, 5]})
        w.add_hparams({"lr": 0.2}, {"hp/acc": 0.8}, run_name="r2", global_step=4)
        w.close()
    n, t = both(tmp_path, fn)
    assert sorted(n) == sorted(t) == [".", "m_a_x", "m_a_y", "r", "r2"]
    for run in ("r", "r2"):  # add_hparams writes with the current time
        for ev in n[run] + t[run]:
            ev.wall_time = 0
            for v in ev.summary.value:
                if v.metadata.plugin_data.plugin_name == "hparams":
                    # Re-serialize deterministically: map entry order is not fixed.
                    content = HParamsPluginData.FromString(v.metadata.plugin_data.content)
                    v.metadata.plugin_data.content = content.SerializeToString(
                        deterministic=True)
    for run in n:
        assert n[run] == t[run], run
    assert n["."][1].step == 3 and n["."][2].session_log.status == 1


def test_histograms_match_torch(tmp_path):
    rs = np.random.RandomState(0)
    data = rs.randn(200)

    def fn(W, mod, d):
        with W(d) as w:
            w.add_histogram("tf", mod.tensor(data), 2, walltime=1.0)
            w.add_histogram("f32", mod.tensor(data.astype(np.float32)), 3, walltime=1.0)
            w.add_histogram("ints", mod.tensor([0, 1, 1, 5, -3]), 1, walltime=1.0)
            w.add_histogram("const", np.full(4, 2.0), 1, walltime=1.0)
            w.add_histogram("auto", data, 2, bins="auto", walltime=1.0)
            w.add_histogram("fd", data, 2, bins="fd", max_bins=4, walltime=1.0)
            w.add_histogram("n", data, 2, bins=10, max_bins=3, walltime=1.0)
            w.add_histogram_raw("raw", -1, 4, 6, 9.0, 30.0, [0.0, 2.0, 4.0],
                                [1, 2, 3], 5, walltime=1.0)
    n, t = both(tmp_path, fn)
    assert n == t
    h = n["."][1].summary.value[0].histo
    assert h.num == 200 and h.min == data.min() and abs(h.sum - data.sum()) < 1e-9
    assert sum(h.bucket) == 200


def test_images_and_figures_match_torch(tmp_path):
    rs = np.random.RandomState(1)
    chw = rs.rand(3, 5, 7).astype(np.float32) * 1.2 - 0.1
    hwc = (rs.rand(4, 6, 4) * 255).astype(np.uint8)
    hw = rs.rand(3, 4)
    nchw = rs.rand(10, 1, 3, 2).astype(np.float32)
    nhwc = rs.rand(2, 3, 2, 3)

    def fn(W, mod, d):
        with W(d) as w:
            w.add_image("chw", mod.tensor(chw), 0, walltime=1.0)
            w.add_image("c1", mod.tensor(chw[:1]), 0, walltime=1.0)
            w.add_image("hwc", hwc, 1, walltime=1.0, dataformats="HWC")
            w.add_image("hw", mod.tensor(hw), 0, walltime=1.0, dataformats="HW")
            w.add_image("wh", hw, 0, walltime=1.0, dataformats="WH")
            w.add_images("n", mod.tensor(nchw), 0, walltime=1.0)
            w.add_images("nhwc", nhwc, 0, walltime=1.0, dataformats="NHWC")
            fig = plt.figure(figsize=(1, 1), dpi=20)
            plt.plot([0, 1], [1, 0])
            w.add_figure("fig", fig, 0, walltime=1.0)
            figs = [plt.figure(figsize=(1, 1), dpi=10) for _ in range(2)]
            w.add_figure("figs", figs, 0, walltime=1.0)
    n, t = both(tmp_path, fn)
    assert len(n["."]) == len(t["."]) == 10
    for en, et in zip(n["."][1:], t["."][1:]):
        vn, vt = en.summary.value[0], et.summary.value[0]
        assert (vn.tag, en.step) == (vt.tag, et.step)
        imn, imt = vn.image, vt.image
        assert (imn.height, imn.width, imn.colorspace) == (imt.height, imt.width, imt.colorspace)
        # PNG bytes differ between encoders; the pixels and the PNG mode must not.
        pn = Image.open(io.BytesIO(imn.encoded_image_string))
        pt = Image.open(io.BytesIO(imt.encoded_image_string))
        assert pn.mode == pt.mode
        np.testing.assert_array_equal(np.asarray(pn), np.asarray(pt))


def test_event_accumulator_reads_everything(tmp_path):
    d = str(tmp_path / "run")
    with SummaryWriter(d) as w:
        for i in range(5):
            w.add_scalar("loss", 1.0 / (i + 1), i)
        w.add_histogram("w", numtorch.arange(10.0), 0)
        w.add_image("img", numtorch.ones(3, 2, 4), 0)
        w.add_text("note", "hi", 0)
    acc = EventAccumulator(d, size_guidance={"tensors": 0})
    acc.Reload()
    tags = acc.Tags()
    assert tags["scalars"] == ["loss"] and tags["histograms"] == ["w"]
    assert tags["images"] == ["img"] and "note/text_summary" in tags["tensors"]
    assert [s.step for s in acc.Scalars("loss")] == list(range(5))
    assert [s.value for s in acc.Scalars("loss")] == [np.float32(1.0 / (i + 1)).item()
                                                      for i in range(5)]
    h = acc.Histograms("w")[0].histogram_value
    assert (h.min, h.max, h.num, h.sum, h.sum_squares) == (0, 9, 10, 45, 285)
    im = acc.Images("img")[0]
    assert (im.width, im.height) == (4, 2)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(im.encoded_image_string))),
                                  np.full((2, 4, 3), 255, np.uint8))
    txt = acc.Tensors("note/text_summary")[0].tensor_proto
    assert txt.string_val == [b"hi"]


def test_queue_flush_close_reopen(tmp_path):
    d = str(tmp_path / "q")
    w = SummaryWriter(d, max_queue=3, flush_secs=1000)
    (f,) = event_files(d)
    assert len(read_records(f)) == 1  # the header event is written at once
    w.add_scalar("a", 1.0, 0)
    w.add_scalar("a", 2.0, 1)
    assert len(read_records(f)) == 1  # two pending
    w.add_scalar("a", 3.0, 2)
    assert len(read_records(f)) == 4  # the queue filled up
    w.add_scalar("a", 4.0, 3)
    w.flush()
    assert len(read_records(f)) == 5
    w.close()
    w.close()  # a second close is a no-op
    w.add_scalar("a", 5.0, 4)  # starts a new file
    w.close()
    files = event_files(d)
    assert len(files) == 2 and len(read_records([p for p in files if p != f][0])) == 2
    fw = FileWriter(tmp_path / "fw", flush_secs=0)
    fw.add_summary(b"")
    assert len(read_records(event_files(tmp_path / "fw")[0])) == 2  # flush_secs passed
    # Protobuf objects (as PyTorch's FileWriter takes) are accepted too.
    from tensorboard.compat.proto.event_pb2 import Event
    from tensorboard.compat.proto.summary_pb2 import Summary
    fw.add_event(Event(file_version="x"), step=4, walltime=2.5)
    fw.add_summary(Summary(value=[Summary.Value(tag="s", simple_value=1.5)]), 6, 3.0)
    fw.flush()
    evs = list(LegacyEventFileLoader(event_files(tmp_path / "fw")[0]).Load())
    assert (evs[2].file_version, evs[2].step, evs[2].wall_time) == ("x", 4, 2.5)
    assert (evs[3].summary.value[0].simple_value, evs[3].step, evs[3].wall_time) == (1.5, 6, 3)
    fw.close()
    fw.reopen()
    assert len(event_files(tmp_path / "fw")) == 2
    fw.close()


def test_errors_match_torch(tmp_path):
    w, tw = SummaryWriter(str(tmp_path / "n")), TorchWriter(str(tmp_path / "t"))
    cases = [
        lambda w, m: w.add_scalar("s", m.tensor([1.0, 2.0])),
        lambda w, m: w.add_scalar("s", [1.0]),
        lambda w, m: w.add_histogram("h", np.zeros(0)),
        lambda w, m: w.add_histogram_raw("h", 0, 1, 1, 1, 1, [1.0], [1, 2]),
        lambda w, m: w.add_hparams([1], {}),
        lambda w, m: w.add_hparams({"a": [1]}, {}),
        lambda w, m: w.add_hparams({"a": 1}, {}, hparam_domain_discrete={"a": ["x"]}),
        lambda w, m: w.add_image("i", np.zeros((2, 3)), dataformats="HH"),
        lambda w, m: w.add_image("i", np.zeros((2, 3)), dataformats="CHW"),
    ]
    for case in cases:
        with pytest.raises(Exception) as en:
            case(w, numtorch)
        with pytest.raises(Exception) as et:
            case(tw, torch)
        assert type(en.value) is type(et.value)
        assert str(en.value) == str(et.value)
    with pytest.raises(NotImplementedError, match="add_graph"):
        w.add_graph(numtorch.nn.Linear(2, 2), numtorch.ones(1, 2))
    w.close()
    tw.close()


def test_audio_pr_curves_custom_scalars_match_torch(tmp_path, capsys):
    rs = np.random.RandomState(2)
    labels, preds, weights = rs.randint(2, size=50), rs.rand(50), rs.rand(50)
    signal = np.sin(np.arange(100) / 5.0)

    def fn(W, mod, d):
        with W(d) as w:
            w.add_audio("a", mod.tensor(signal), 1, sample_rate=8000, walltime=1.0)
            w.add_audio("loud", mod.tensor(signal[None] * 1.5), 2, walltime=1.0)
            w.add_pr_curve("pr", mod.tensor(labels), mod.tensor(preds), 2, walltime=1.0)
            w.add_pr_curve("prw", labels, preds, 2, num_thresholds=200, weights=weights,
                           walltime=1.0)
            w.add_pr_curve_raw("raw", [1, 2], [3, 4], [5, 6], [7, 8], [0.1, 0.2],
                               [0.3, 0.4], 3, num_thresholds=2, walltime=1.0)
            w.add_custom_scalars({"Taiwan": {"twse": ["Multiline", ["twse/0050", "t/1"]]},
                                  "USA": {"dow": ["Margin", ["d/a", "d/b", "d/c"]],
                                          "nas": ["Multiline", ["n/a"]]}})
            w.add_custom_scalars_multilinechart(["a", "b"])
            w.add_custom_scalars_marginchart(["a", "b", "c"], category="c", title="t")
    n, t = both(tmp_path, fn)
    for ev in n["."] + t["."]:  # custom-scalars layouts are written with the current time
        if ev.wall_time != 1.0:
            ev.wall_time = 0
    assert n == t and len(n["."]) == 9
    assert capsys.readouterr().out.count("warning: audio amplitude out of range") == 2
    a = n["."][1].summary.value[0].audio
    assert (a.sample_rate, a.num_channels, a.length_frames) == (8000, 1, 100)
    with pytest.raises(AssertionError, match="Expected 3 tags, got 2."):
        SummaryWriter(str(tmp_path / "e")).add_custom_scalars_marginchart(["a", "b"])


def test_unclosed_writer_is_flushed_at_exit(tmp_path):
    import subprocess
    import sys
    code = ("from numtorch.utils.tensorboard import SummaryWriter\n"
            f"w = SummaryWriter({str(tmp_path / 'x')!r}, max_queue=100)\n"
            "for i in range(3):\n    w.add_scalar('a', i, i)\n")
    subprocess.run([sys.executable, "-c", code], check=True,
                   cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    (f,) = event_files(tmp_path / "x")
    evs = list(LegacyEventFileLoader(f).Load())
    assert [(e.step, e.summary.value[0].simple_value) for e in evs[1:]] == [
        (0, 0.0), (1, 1.0), (2, 2.0)]


def test_image_boxes_and_mesh_match_torch(tmp_path):
    rs = np.random.RandomState(3)
    img = rs.rand(3, 40, 50).astype(np.float32)
    boxes = np.array([[2, 3, 30, 25], [10.5, 12, 45, 38]])
    verts = rs.rand(1, 4, 3).astype(np.float32)
    faces = np.array([[[0, 1, 2], [1, 2, 3]]])
    cols = np.array([[[255, 0, 0]] * 4])

    def fn(W, mod, d):
        with W(d) as w:
            w.add_image_with_boxes("b", mod.tensor(img), mod.tensor(boxes), 1, walltime=1.0)
            w.add_image_with_boxes("bl", mod.tensor(img), mod.tensor(boxes), 1, walltime=1.0,
                                   labels=["cat", "dog"])
            w.add_image_with_boxes("br", img, boxes, 1, walltime=1.0, labels=["cat", "dog"],
                                   rescale=1.5)
            w.add_image_with_boxes("bad_labels", img, boxes, 1, walltime=1.0, labels="cat")
            w.add_mesh("m", mod.tensor(verts), colors=mod.tensor(cols),
                       faces=mod.tensor(faces), global_step=2, walltime=1.0,
                       config_dict={"camera": {"fov": 75}, "a": 1})
            w.add_mesh("m2", verts, walltime=1.0)
    n, t = both(tmp_path, fn)
    for en, et in zip(n["."][1:5], t["."][1:5]):
        imn, imt = en.summary.value[0].image, et.summary.value[0].image
        assert (imn.height, imn.width, imn.colorspace) == (imt.height, imt.width, imt.colorspace)
        np.testing.assert_array_equal(
            np.asarray(Image.open(io.BytesIO(imn.encoded_image_string))),
            np.asarray(Image.open(io.BytesIO(imt.encoded_image_string))))
    assert np.asarray(Image.open(io.BytesIO(
        n["."][3].summary.value[0].image.encoded_image_string))).shape == (60, 75, 3)
    assert n["."][5:] == t["."][5:] and len(n["."]) == 7
    assert [v.tag for v in n["."][5].summary.value] == ["m_VERTEX", "m_FACE", "m_COLOR"]
    w, tw = SummaryWriter(str(tmp_path / "e")), TorchWriter(str(tmp_path / "f"))
    for writer, mod in ((w, numtorch), (tw, torch)):
        with pytest.raises(ValueError, match=r"BxNx3, but got torch.Size\(\[4, 3\]\)"):
            writer.add_mesh("bad", mod.ones(4, 3))
    with pytest.raises(NotImplementedError, match="add_video"):
        w.add_video("v", numtorch.zeros(1, 2, 3, 4, 4))
    with pytest.raises(NotImplementedError, match="add_onnx_graph"):
        w.add_onnx_graph("model.onnx")
    w.close()
    tw.close()


def test_embedding_files_match_torch(tmp_path, capsys):
    rs = np.random.RandomState(4)
    mat = rs.randn(10, 3).astype(np.float32)
    label_img = rs.rand(10, 3, 4, 5).astype(np.float32)
    meta = [f"w{i}" for i in range(10)]

    def fn(W, mod, d):
        with W(d) as w:
            w.add_embedding(mod.tensor(mat), metadata=meta, label_img=mod.tensor(label_img))
            w.add_embedding(mod.tensor(mat.astype(np.float64)), global_step=3, tag="a/b%c\\d")
            w.add_embedding(mat, metadata=[[i, i * 2] for i in range(10)],
                            metadata_header=["x", "y"], global_step=3, tag="q'\"")
            w.add_embedding(mat, metadata=meta)  # same directory again: a warning
            with pytest.raises(AssertionError, match="#labels should equal"):
                w.add_embedding(mat, metadata=meta[:3], global_step=7)
    fn(SummaryWriter, numtorch, str(tmp_path / "n"))
    fn(TorchWriter, torch, str(tmp_path / "t"))
    assert capsys.readouterr().out.count("warning: Embedding dir exists") == 2
    names = []
    for root, _, files in os.walk(tmp_path / "t"):
        for f in files:
            if f.startswith("events"):
                continue
            pt = os.path.join(root, f)
            pn = str(tmp_path / "n" / os.path.relpath(pt, tmp_path / "t"))
            names.append(os.path.relpath(pt, tmp_path / "t"))
            if f.endswith(".png"):
                np.testing.assert_array_equal(np.asarray(Image.open(pn)),
                                              np.asarray(Image.open(pt)))
            else:
                with open(pn, "rb") as a, open(pt, "rb") as b:
                    assert a.read() == b.read(), pt
    assert sorted(names) == sorted([
        "projector_config.pbtxt", "00000/default/sprite.png", "00000/default/metadata.tsv",
        "00000/default/tensors.tsv", "00003/a%2fb%25c%5cd/tensors.tsv",
        "00003/q'\"/metadata.tsv", "00003/q'\"/tensors.tsv"])


def test_summary_functions_match_torch():
    from tensorboard.compat.proto.summary_pb2 import Summary
    from torch.utils.tensorboard import summary as ts

    from numtorch.utils.tensorboard import summary as ns
    img = np.random.RandomState(5).rand(3, 9, 12).astype(np.float32)
    for rescale in (1, 0.5, 2):
        mine = Summary.FromString(ns.image("i", img, rescale=rescale, dataformats="CHW"))
        theirs = ts.image("i", img, rescale=rescale, dataformats="CHW")
        a, b = mine.value[0].image, theirs.value[0].image
        assert (a.height, a.width, a.colorspace) == (b.height, b.width, b.colorspace)
        np.testing.assert_array_equal(
            np.asarray(Image.open(io.BytesIO(a.encoded_image_string))),
            np.asarray(Image.open(io.BytesIO(b.encoded_image_string))))
    assert Summary.FromString(ns.scalar("s", 2.0, collections=["x"])) == ts.scalar(
        "s", 2.0, collections=["x"])
    assert Summary.FromString(ns.text("t", "x")) == ts.text("t", "x")
    assert ns.text("t", "x") == ts.text("t", "x").SerializeToString()
