"""dfd.solve on rendered stacks: accuracy against the truth, outputs, the report, input forms."""

import numpy as np
import pytest

import dfd
from conftest import FAST


def test_depth_of_a_rendered_float_stack_is_accurate(scene, solved):
    m = dfd.metrics(solved.depth, scene.depth)
    # The 64x48 scene at 6 epochs: AbsRel 0.049, delta1 0.97 measured (gcc 12, CPU backend); the
    # bounds leave room for other compilers' rounding and stay far from a failed solve (> 0.3).
    assert m["absrel"] < 0.08, m
    assert m["delta1"] > 0.9, m


def test_outputs_have_the_frames_shape_and_float32(scene, solved):
    F, H, W, C = scene.frames.shape
    assert solved.depth.shape == (H, W) and solved.depth.dtype == np.float32
    assert solved.aif.shape == (H, W, C) and solved.aif.dtype == np.float32
    assert solved.confidence.shape == (H, W) and solved.confidence.dtype == np.float32
    assert np.all(np.isfinite(solved.depth))
    assert 0.0 <= solved.confidence.min() and solved.confidence.max() <= 1.0
    # The AIF is in the frames' units ([0, 1] for floats) and close to the truth.
    assert 0.0 <= solved.aif.min() and solved.aif.max() <= 1.0
    assert dfd.metrics(solved.depth, scene.depth, solved.aif, scene.aif)["psnr"] > 25  # 29.3 dB measured


def test_report_is_report_json_as_a_dict(scene, solved):
    r = solved.report
    assert r["input"]["kind"] == "arrays"
    assert r["input"]["focus_source"] == "flag"
    assert r["input"]["width"] == 64 and r["input"]["height"] == 48 and r["input"]["channels"] == 3
    assert [f["focus_distance"] for f in r["input"]["frames"]] == list(scene.focus_distances)
    assert r["options"]["preset"] == "nyuv2" and r["options"]["epochs"] == FAST["epochs"]
    assert r["options"]["backend"] == "cpu"
    assert r["backend"]["name"] == "cpu"
    assert r["log"] and r["final_loss"] == r["log"][-1]["loss"]
    assert r["dfd_version"] == dfd.__version__
    assert solved["depth"] is solved.depth  # keys as well as attributes


def test_list_of_frames_equals_the_array(scene, solved):
    r = dfd.solve(list(scene.frames), scene.focus_distances, preset="nyuv2", **FAST)
    np.testing.assert_array_equal(r.depth, solved.depth)


def test_grey_frames_in_both_layouts(scene):
    grey = scene.frames.mean(axis=3)  # (F, H, W)
    a = dfd.solve(grey, scene.focus_distances, **FAST)
    b = dfd.solve(grey[..., None], scene.focus_distances, **FAST)  # (F, H, W, 1)
    assert a.depth.shape == (48, 64) and a.aif.shape == (48, 64)
    np.testing.assert_array_equal(a.depth, b.depth)
    assert dfd.metrics(a.depth, scene.depth)["absrel"] < 0.15  # 0.112 measured: grey has less texture


def test_options_object_passes_as_keywords(scene, solved):
    opts = dfd.Options(preset="nyuv2", **FAST)
    r = dfd.solve(scene.frames, scene.focus_distances, **opts)
    np.testing.assert_array_equal(r.depth, solved.depth)


def test_no_focus_distances_and_no_preset_solves_uncalibrated(scene):
    r = dfd.solve(scene.frames[:, ::2, ::2], epochs=2, backend="cpu", threads=1, blur_scale=1.0, no_confidence=True)
    assert r.report["model"]["auto_selected"] is True
    assert r.report["model"]["blur_model"] == "focus-index"
    assert r.report["input"]["focus_source"] == "frame-index"
    assert r.confidence is None
    assert 0 <= r.depth.min() and r.depth.max() <= scene.frames.shape[0] - 1


def test_preset_focus_distances_are_used_when_none_are_given(scene, solved):
    r = dfd.solve(scene.frames, preset="nyuv2", **FAST)
    assert r.report["input"]["focus_source"] == "preset"
    np.testing.assert_array_equal(r.depth, solved.depth)


def test_scale_option_solves_smaller(scene):
    r = dfd.solve(scene.frames, scene.focus_distances, scale=0.5, epochs=2, backend="cpu", threads=1, no_confidence=True)
    assert r.depth.shape == (24, 32)
    assert r.report["input"]["scale"] == 0.5
