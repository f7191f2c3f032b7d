"""The conversion model as assets: train a candidate, gate it, promote it, score the open leads."""
