"""The GPU command's CPU smoke run: pack a subset within its size, train two steps from the shipped
ONNX, bring back the EMA in parts and the ONNX, join the parts into a snapshot that loads."""
import json
import os

import numpy as np
import onnxruntime as ort
import pytest
import torch

import device_train as dt
from edgeflow.data.datasets import index_objects

ONNX = os.path.join(os.path.dirname(dt.__file__), "edgeflow-mobilenetv2.onnx")


def test_pack_train_join(train_root, tmp_path):
    pack = tmp_path / "pack"
    counts, used = dt.pack(train_root, "coco128_seg=1,coco_mini=1,duts_val=5", str(pack), max_mib=0.25, side=160)
    assert used <= 0.25 * (1 << 20) and set(counts) <= {"coco128_seg", "coco_mini"} and sum(counts.values()) > 3
    meta = json.loads((pack / "pack.json").read_text())
    assert meta["bytes"] == used and "duts_val" not in meta["set_weights"]
    ix = index_objects([str(pack)])  # the standard layout: the trainer reads it as any data root
    assert {k: len(v) for k, v in ix.items()} == counts
    from PIL import Image
    for objs in ix.values():
        with Image.open(objs[0].image) as im:
            assert max(im.size) <= 160
        with Image.open(objs[0].mask) as m:
            assert m.size == im.size and set(np.unique(np.asarray(m))) <= {0, 255}

    out = tmp_path / "out"
    s = dt.train(str(pack), str(out), seconds=600, run_dir=str(tmp_path / "run"), onnx=ONNX, batch=2, crop=64,
                 max_steps=2, precision="bf16", step=100)
    assert s["step"] == 102 and s["device"] == "cpu"
    assert all((out / f).exists() for f in s["files"]) and "edgeflow-mobilenetv2.onnx" in s["files"]
    assert all(os.path.getsize(out / f) <= dt.PART_BYTES for f in s["files"])
    sess = ort.InferenceSession(str(out / "edgeflow-mobilenetv2.onnx"))
    outs = sess.run(None, {"image": np.zeros((1, 3, 64, 96), np.float32), "clicks": np.zeros((1, 2, 64, 96), np.float32),
                           "prev_edge": np.zeros((1, 1, 64, 96), np.float32)})
    assert outs[0].shape == (1, 1, 64, 96) and np.isfinite(outs[0]).all()

    joined = dt.join_parts(str(out), s["ema_snapshot"], str(tmp_path / "ema.pth"))
    from evaluate import load_checkpoint
    net, state = load_checkpoint(joined)
    assert state["step"] == 102
    ref = torch.load(tmp_path / "run" / "snapshots" / s["ema_snapshot"], map_location="cpu", weights_only=False)
    assert all(torch.equal(v, ref["model"][k]) for k, v in state["model"].items())


def test_split_parts_are_bounded(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(bytes(range(256)) * 100)
    parts = dt.split_file(str(f), str(tmp_path), part_bytes=7000)
    assert len(parts) == 4 and all(os.path.getsize(p) <= 7000 for p in parts)
    assert open(dt.join_parts(str(tmp_path), "x.bin", str(tmp_path / "y.bin")), "rb").read() == f.read_bytes()
    with pytest.raises(FileNotFoundError):
        dt.join_parts(str(tmp_path), "nothing", str(tmp_path / "z"))
