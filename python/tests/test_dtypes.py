"""Frames of every dtype: integer samples at their natural white level, floats as they are."""

import numpy as np
import pytest

import dfd
from conftest import FAST, quantise


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_integer_frames_take_their_bit_depths_range(scene, dtype):
    q = quantise(scene.frames, dtype)
    r = dfd.solve(q, scene.focus_distances, **FAST)
    top = float(np.iinfo(dtype).max)
    assert r.report["input"]["range"] == top
    assert r.report["noise"]["quantisation_step"] == 1.0  # integer samples: the regulariser knows
    assert r.report["regularizer"]["depth_prior"] is True
    assert 0 <= r.aif.min() and r.aif.max() <= top and r.aif.max() > 0.5 * top  # the frames' units
    assert dfd.metrics(r.depth, scene.depth)["absrel"] < 0.12  # measured: uint8 0.073, uint16 0.041


def test_float64_and_float32_give_the_same_solve(scene, solved):
    r = dfd.solve(scene.frames.astype(np.float64), scene.focus_distances, preset="nyuv2", **FAST)
    assert r.report["input"]["range"] == 1.0
    assert r.report["noise"]["quantisation_step"] == 0.0
    np.testing.assert_array_equal(r.depth, solved.depth)


def test_other_integers_need_a_range(scene):
    q = quantise(scene.frames, np.uint8).astype(np.int32)
    with pytest.raises(dfd.InputError, match="int32 samples have no natural white level: pass range="):
        dfd.solve(q, scene.focus_distances, **FAST)
    r = dfd.solve(q, scene.focus_distances, range=255, epochs=1, backend="cpu", threads=1, no_confidence=True)
    assert r.report["input"]["range"] == 255.0


def test_float_frames_above_one_need_a_range(scene):
    with pytest.raises(dfd.InputError, match=r"frame 0: values up to .* exceed the intensity range R = 1; pass range="):
        dfd.solve(scene.frames * 255, scene.focus_distances, **FAST)
    r = dfd.solve(scene.frames * 255, scene.focus_distances, range=255, epochs=1, backend="cpu", threads=1, no_confidence=True)
    assert r.report["input"]["range"] == 255.0


def test_alpha_is_dropped(scene):
    rgba = np.concatenate([scene.frames, np.ones_like(scene.frames[..., :1])], axis=3)
    r = dfd.solve(rgba, scene.focus_distances, epochs=1, backend="cpu", threads=1, no_confidence=True)
    assert r.aif.shape == (48, 64, 3)


@pytest.mark.parametrize("bad", [np.bool_, np.complex64, object])
def test_non_image_dtypes_are_type_errors(scene, bad):
    frames = np.zeros((5, 16, 16), dtype=bad)
    with pytest.raises(TypeError, match="are not images"):
        dfd.solve(frames, scene.focus_distances)


def test_mixed_dtypes_in_a_list(scene):
    frames = [quantise(f, np.uint8) for f in scene.frames]
    frames[2] = frames[2].astype(np.uint16)
    with pytest.raises(dfd.InputError, match="frame 2 is uint16 but frame 0 is uint8"):
        dfd.solve(frames, scene.focus_distances)
