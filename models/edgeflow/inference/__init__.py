"""The inference protocol of models/README.md: focus-crop predictor, RITM clicker, NoC evaluation."""
