"""Rebuild a trainable network from an exported ONNX file.

The exporter folds each BatchNorm into the convolution before it: the ONNX file holds, per output
channel, W' = W * g / s and b' = b_bn - m * g / s (g, b_bn the BatchNorm's affine parameters, m, s
its running mean and standard deviation), never W, g, b_bn, m, s themselves. Only the eval-mode
function survives. That is enough to go on training, because a convolution followed by BatchNorm
does not depend on the scale of W:

1. `load_folded` writes W' into each convolution and sets its BatchNorm to the identity plus b'
   (running mean 0, the affine scale equal to the running standard deviation), so that the
   network's eval-mode function is the ONNX file's.
2. `recalibrate_bn` runs data through that network, measures the mean and variance of every
   BatchNorm's input, z = W' x, and rewrites each pair so that the convolution's output has unit
   variance (W = W' / sqrt(var z)) and the BatchNorm undoes it again: the eval-mode function does
   not change, and in training mode, where BatchNorm normalises with the batch's own statistics,
   the network now computes nearly the same function too (exactly the same for a batch whose
   statistics are the measured ones).

Which ONNX convolution belongs to which module is found by exporting the network itself (its
random weights are distinct fingerprints) and matching the two files' convolutions in order.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn


def conv_bn_pairs(net, inputs):
    """{conv module: the BatchNorm module that normalises its output}, found by running `inputs`
    (a tuple for net.forward) and seeing which BatchNorm receives which convolution's output."""
    produced, pairs, hooks = {}, {}, []
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            # the output is kept alive in `produced` so that its id cannot be reused
            hooks.append(m.register_forward_hook(lambda mod, _i, out: produced.__setitem__(id(out), (mod, out))))
        elif isinstance(m, nn.BatchNorm2d):
            def pre(mod, args):
                hit = produced.get(id(args[0]))
                if hit is None or hit[1] is not args[0]:
                    raise ValueError(f"a BatchNorm ({mod}) does not follow a convolution directly")
                pairs[hit[0]] = mod
            hooks.append(m.register_forward_pre_hook(pre))
    was_training = net.training
    try:
        net.eval()
        with torch.no_grad():
            net(*inputs)
    finally:
        for h in hooks:
            h.remove()
        net.train(was_training)
    return pairs


def onnx_convs(path):
    """The (weight, bias or None) of every Conv node of an ONNX file, in graph order."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(path)
    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    consts, alias = {}, {}
    for node in model.graph.node:
        if node.op_type == "Identity":  # the exporter shares equal initializers through Identity
            alias[node.output[0]] = node.input[0]
        elif node.op_type == "Constant":
            for a in node.attribute:
                if a.name == "value":
                    consts[node.output[0]] = numpy_helper.to_array(a.t)
    out = []
    for node in model.graph.node:
        if node.op_type != "Conv":
            continue

        def value(name):
            while name in alias:
                name = alias[name]
            if name in init:
                return init[name]
            if name in consts:
                return consts[name]
            raise ValueError(f"Conv input {name!r} is not a constant in {path}")

        w = value(node.input[1])
        b = value(node.input[2]) if len(node.input) > 2 and node.input[2] else None
        out.append((np.array(w, np.float32), None if b is None else np.array(b, np.float32)))
    return out


def conv_order(net, export_fn):
    """The network's Conv2d modules in the order of the Conv nodes its export writes.

    `export_fn(net, path)` exports like the shipped file was exported. The weights are first
    overwritten with random fingerprints (BatchNorms reset), then each node is matched to the
    module whose weight it is, up to a per-channel scale (the folded BatchNorm)."""
    modules = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g))
            elif isinstance(m, nn.BatchNorm2d):
                m.reset_parameters()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fingerprint.onnx")
        export_fn(net, path)
        nodes = onnx_convs(path)
    if len(nodes) != len(modules):
        raise ValueError(f"the export has {len(nodes)} Conv nodes, the network {len(modules)} Conv2d modules")
    order, used = [], set()
    for k, (w, _b) in enumerate(nodes):
        wt = torch.from_numpy(w).flatten(1).double()
        found = None
        for m in modules:
            if id(m) in used or tuple(m.weight.shape) != w.shape:
                continue
            mw = m.weight.detach().flatten(1).double()
            cos = torch.nn.functional.cosine_similarity(mw, wt, dim=1)
            if bool((cos.abs() > 0.9999).all()):
                found = m
                break
        if found is None:
            raise ValueError(f"Conv node {k} (weight {w.shape}) matches no module of the network")
        used.add(id(found))
        order.append(found)
    return order


@torch.no_grad()
def load_folded(order, pairs, convs):
    """Write the ONNX file's folded (weight, bias) into the modules (see the module doc, step 1)."""
    if len(order) != len(convs):
        raise ValueError(f"the file has {len(convs)} Conv nodes, the network {len(order)}")
    for k, (m, (w, b)) in enumerate(zip(order, convs)):
        if tuple(m.weight.shape) != w.shape:
            raise ValueError(f"Conv node {k}: weight {w.shape} in the file, {tuple(m.weight.shape)} in the network")
        bias = torch.zeros(w.shape[0]) if b is None else torch.from_numpy(b)
        m.weight.copy_(torch.from_numpy(w))
        bn = pairs.get(m)
        if bn is None:
            if m.bias is None:
                if b is not None and np.abs(b).max() > 0:
                    raise ValueError(f"Conv node {k} has a bias, its module has none and no BatchNorm")
            else:
                m.bias.copy_(bias)
            continue
        if m.bias is not None:
            m.bias.zero_()
        bn.running_mean.zero_()
        bn.running_var.fill_(1.0)
        bn.weight.fill_(float(np.sqrt(1.0 + bn.eps)))
        bn.bias.copy_(bias)


@torch.no_grad()
def recalibrate_bn(net, pairs, batches, min_std=1e-3):
    """Re-estimate every BatchNorm from data (see the module doc, step 2). `batches` yields input
    tuples for net.forward, run in eval mode; returns the number of batches used."""
    stats = {bn: [0.0, 0.0, 0] for bn in pairs.values()}
    hooks = []
    for bn in stats:
        def pre(mod, args):
            z = args[0].detach().double()
            acc = stats[mod]
            acc[0] = acc[0] + z.sum(dim=(0, 2, 3))
            acc[1] = acc[1] + (z * z).sum(dim=(0, 2, 3))
            acc[2] += z.shape[0] * z.shape[2] * z.shape[3]
        hooks.append(bn.register_forward_pre_hook(pre))
    was_training = net.training
    n = 0
    try:
        net.eval()
        for inputs in batches:
            net(*inputs)
            n += 1
    finally:
        for h in hooks:
            h.remove()
        net.train(was_training)
    if n == 0:
        raise ValueError("no calibration batches")
    for conv, bn in pairs.items():
        s1, s2, cnt = stats[bn]
        if cnt == 0:
            raise ValueError(f"no calibration data reached a BatchNorm ({bn})")
        mean = s1 / cnt
        var = (s2 / cnt - mean * mean).clamp_min(0.0)
        s = var.sqrt().clamp_min(min_std)
        # eval mode before: z + b'  (z = W' x; BN scale sqrt(1 + eps) over sqrt(1 + eps), mean 0)
        folded_bias = bn.bias.double().clone()
        conv.weight.div_(s.view(-1, 1, 1, 1).to(conv.weight.dtype))
        rm, rv = mean / s, var / (s * s)
        bn.running_mean.copy_(rm)
        bn.running_var.copy_(rv)
        bn.weight.copy_(s * (rv + bn.eps).sqrt())
        bn.bias.copy_(folded_bias + mean)
    return n


def import_onnx(net, onnx_path, export_fn, example_inputs):
    """Load an ONNX export of `net`'s architecture into `net` (all its weights are overwritten) so
    that its eval-mode function is the file's. Returns the {conv: BatchNorm} pairs, for
    `recalibrate_bn` before training."""
    pairs = conv_bn_pairs(net, example_inputs)
    order = conv_order(net, export_fn)
    load_folded(order, pairs, onnx_convs(onnx_path))
    for bn in pairs.values():
        bn.num_batches_tracked.zero_()
    return pairs
