"""Shared scenes for the dfd Python tests: tiny rendered stacks (64x48, nyuv2 camera), so that
the whole suite stays within seconds on two cores."""

import numpy as np
import pytest

import dfd

# A short solve: enough epochs for the depth to settle on a 64x48 rendered stack.
FAST = dict(epochs=6, backend="cpu", threads=1)


@pytest.fixture(scope="session")
def scene():
    """The procedural scene of `dfd demo`, 64x48, rendered with the nyuv2 preset."""
    return dfd.synth(width=64, height=48, seed=3)


@pytest.fixture(scope="session")
def solved(scene):
    """The float stack of `scene` solved once (float32 in [0, 1])."""
    return dfd.solve(scene.frames, scene.focus_distances, preset="nyuv2", **FAST)


def quantise(frames, dtype):
    """Frames in [0, 1] as integer samples of dtype (uint8: 0..255, uint16: 0..65535)."""
    top = np.iinfo(dtype).max
    return np.round(np.clip(frames, 0, 1) * top).astype(dtype)
