"""Regenerate the MobileNetV2 ImageNet init (torchvision `mobilenet_v2().features` state dict)
from the npm package nsfwjs@4.3.0, without ../shared.

The package ships a Keras-applications MobileNetV2 as a TensorFlow.js layers model: the topology
and weight manifest in `dist/models/mobilenet_v2/model.min.js`, the uint8-quantised weights as a
base64 string in `group1-shard1of1.min.js` (both UMD modules). This script packs the package with
npm, lets node evaluate the two modules, dequantises (`q * scale + min` in float32, as tfjs does),
maps Keras names to torchvision's, saves the state dict and checks its sha256.

    /usr/bin/python3 models/make_mobilenet_init.py --out models/runs/mobilenet_v2_imagenet_features.pth
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

PACKAGE = "nsfwjs@4.3.0"
# The reference file's bytes (written by PyTorch 1.13) and its content (keys, dtypes, shapes,
# tensor bytes; content_sha256), which any PyTorch version reproduces.
EXPECTED_SHA256 = "6c4d6d21a98ea4dae88b23eaf7caccdeec1f968b207d5eeb9cd9e65875e09f42"
EXPECTED_CONTENT_SHA256 = "75979c5018066820097e0fbe26243c5b701fe6bd089808de7854d5a04c40580c"
# torch.save names the archive's top folder after the file name; the reference file was written
# as mobilenet_v2_features_torchvision.pth, so the bytes only match when saved under that name.
ARCHIVE_NAME = "mobilenet_v2_features_torchvision.pth"

DUMP_JS = r"""
const fs = require('fs');
const dir = process.argv[1];
const model = require(dir + '/model.min.js');
const shard = require(dir + '/group1-shard1of1.min.js');
fs.writeFileSync(process.argv[2], JSON.stringify(model.weightsManifest));
fs.writeFileSync(process.argv[3], Buffer.from(shard, 'base64'));
"""


def fetch_package(workdir):
    r = subprocess.run(["npm", "pack", PACKAGE, "--pack-destination", workdir],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"npm pack {PACKAGE} failed:\n{r.stderr}")
    tgz = [f for f in os.listdir(workdir) if f.endswith(".tgz")][0]
    with tarfile.open(os.path.join(workdir, tgz)) as t:
        members = [m for m in t.getmembers() if m.name.startswith("package/dist/models/mobilenet_v2/")]
        t.extractall(workdir, members=members)
    return os.path.join(workdir, "package", "dist", "models", "mobilenet_v2")


def decode_weights(model_dir, workdir):
    """Return {keras_name: float32 ndarray in Keras layout}."""
    man_path, bin_path = os.path.join(workdir, "manifest.json"), os.path.join(workdir, "shard.bin")
    subprocess.run(["node", "-e", DUMP_JS, model_dir, man_path, bin_path], check=True)
    with open(man_path) as f:
        groups = json.load(f)
    with open(bin_path, "rb") as f:
        buf = f.read()
    out, off = {}, 0
    for group in groups:
        for w in group["weights"]:
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            q = w.get("quantization")
            if q is None:
                a = np.frombuffer(buf, np.float32, n, off).copy()
                off += 4 * n
            else:
                if q["dtype"] != "uint8":
                    raise ValueError(f"unsupported quantisation {q['dtype']} for {w['name']}")
                raw = np.frombuffer(buf, np.uint8, n, off)
                off += n
                a = raw.astype(np.float32) * np.float32(q["scale"]) + np.float32(q["min"])
            out[w["name"]] = a.reshape(w["shape"])
    if off != len(buf):
        raise ValueError(f"decoded {off} bytes of {len(buf)}")
    return out


def keras_to_torchvision(kw):
    """Map Keras MobileNetV2 names to torchvision `features` indices 0..18."""
    sd = {}

    def conv(name, key, depthwise=False):
        k = kw[name + ("/depthwise_kernel" if depthwise else "/kernel")]
        # Keras conv: [kh,kw,in,out] -> torch [out,in,kh,kw]; depthwise: [kh,kw,in,1] -> [in,1,kh,kw]
        t = k.transpose(2, 3, 0, 1) if depthwise else k.transpose(3, 2, 0, 1)
        sd[key + ".weight"] = torch.from_numpy(np.ascontiguousarray(t))

    def bn(name, key):
        sd[key + ".weight"] = torch.from_numpy(kw[name + "/gamma"].copy())
        sd[key + ".bias"] = torch.from_numpy(kw[name + "/beta"].copy())
        sd[key + ".running_mean"] = torch.from_numpy(kw[name + "/moving_mean"].copy())
        sd[key + ".running_var"] = torch.from_numpy(kw[name + "/moving_variance"].copy())
        sd[key + ".num_batches_tracked"] = torch.tensor(0)

    conv("Conv1", "0.0")
    bn("bn_Conv1", "0.1")
    conv("expanded_conv_depthwise", "1.conv.0.0", depthwise=True)
    bn("expanded_conv_depthwise_BN", "1.conv.0.1")
    conv("expanded_conv_project", "1.conv.1")
    bn("expanded_conv_project_BN", "1.conv.2")
    for i in range(2, 18):
        b = f"block_{i - 1}"
        conv(b + "_expand", f"{i}.conv.0.0")
        bn(b + "_expand_BN", f"{i}.conv.0.1")
        conv(b + "_depthwise", f"{i}.conv.1.0", depthwise=True)
        bn(b + "_depthwise_BN", f"{i}.conv.1.1")
        conv(b + "_project", f"{i}.conv.2")
        bn(b + "_project_BN", f"{i}.conv.3")
    conv("Conv_1", "18.0")
    bn("Conv_1_bn", "18.1")
    return sd


def as_module_state_dict(sd):
    """Load into MobileNetV2's `features` (edgeflow/model/mobilenet.py, torchvision's layout) and
    return its state_dict (an OrderedDict carrying the modules' `_metadata`, as the reference file
    was written)."""
    from edgeflow.model.mobilenet import mobilenet_v2_features

    feats = mobilenet_v2_features()
    feats.load_state_dict(sd, strict=True)
    return feats.state_dict()


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def content_sha256(sd):
    """sha256 over the state dict's keys, dtypes, shapes and tensor bytes, in order: the file's
    content, independent of the archive layout (PyTorch 2.x writes records 1.13 did not)."""
    h = hashlib.sha256()
    for k, v in sd.items():
        t = v.detach().cpu().contiguous()
        h.update(f"{k}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.numpy().tobytes())
    return h.hexdigest()


def compare_tensors(sd, ref_path):
    ref = torch.load(ref_path, map_location="cpu")
    worst = 0.0
    for k, v in ref.items():
        worst = max(worst, float((v.double() - sd[k].double()).abs().max()))
    return worst, list(ref) == list(sd)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="where to write the state dict (.pth)")
    ap.add_argument("--compare", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                                       "shared", "pretrained", "mobilenet_v2_imagenet_features.pth"),
                    help="reference file to compare tensors with, if present")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = fetch_package(tmp)
        sd = as_module_state_dict(keras_to_torchvision(decode_weights(model_dir, tmp)))
        tmp_pth = os.path.join(tmp, ARCHIVE_NAME)
        torch.save(sd, tmp_pth)
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        shutil.copyfile(tmp_pth, a.out)
    digest = sha256(a.out)
    content = content_sha256(sd)
    print(f"wrote {a.out}: {len(sd)} tensors, sha256 {digest}, content sha256 {content}")
    if os.path.exists(a.compare):
        worst, same_order = compare_tensors(sd, a.compare)
        print(f"max |delta| vs {os.path.normpath(a.compare)}: {worst:.3g}; same key order: {same_order}")
    if content != EXPECTED_CONTENT_SHA256:
        sys.exit(f"content sha256 mismatch: expected {EXPECTED_CONTENT_SHA256}")
    if digest == EXPECTED_SHA256:
        print("sha256 matches the reference file byte for byte")
    else:
        print(f"content matches the reference tensor for tensor (the archive's bytes differ: torch {torch.__version__} "
              "writes records that 1.13 did not)")


if __name__ == "__main__":
    main()
