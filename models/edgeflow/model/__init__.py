"""EdgeFlow network definitions."""
from .edgeflow import EdgeFlow, build_model, OnnxWrapper

__all__ = ["EdgeFlow", "build_model", "OnnxWrapper"]
