"""Training data: dataset index, augmentation, click sampling and encoding."""
