"""EdgeFlow interactive segmentation: model, data pipeline, training engine and inference protocol."""
