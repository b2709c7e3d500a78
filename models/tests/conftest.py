"""Shared fixtures: put models/ on sys.path; skip data-dependent tests when ../shared is absent."""
import os
import sys

import pytest

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, MODELS)

SHARED = os.environ.get("EDGEFLOW_SHARED") or os.path.normpath(os.path.join(MODELS, "..", "..", "shared"))
TRAIN_ROOT = os.path.join(SHARED, "datasets", "train")
EVAL_ROOT = os.path.join(SHARED, "datasets", "eval")
INIT_PATH = os.path.join(SHARED, "pretrained", "mobilenet_v2_imagenet_features.pth")

import torch  # noqa: E402

torch.set_num_threads(2)


@pytest.fixture
def train_root():
    if not os.path.isdir(TRAIN_ROOT):
        pytest.skip(f"training data absent: {TRAIN_ROOT} (../shared/datasets/train)")
    return TRAIN_ROOT


@pytest.fixture
def eval_root():
    if not os.path.isdir(EVAL_ROOT):
        pytest.skip(f"evaluation data absent: {EVAL_ROOT} (../shared/datasets/eval)")
    return EVAL_ROOT


@pytest.fixture
def init_path():
    if not os.path.exists(INIT_PATH):
        pytest.skip(f"pretrained init absent: {INIT_PATH} (../shared/pretrained)")
    return INIT_PATH
