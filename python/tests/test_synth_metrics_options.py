"""dfd.synth (the exact forward model), dfd.metrics (`dfd eval`), options and presets."""

import math

import numpy as np
import pytest

import dfd


def test_synth_procedural_scene_shapes(scene):
    F = len(dfd.preset_focus_distances("nyuv2"))
    assert scene.frames.shape == (F, 48, 64, 3) and scene.frames.dtype == np.float32
    assert scene.depth.shape == (48, 64) and scene.depth.dtype == np.float32
    assert scene.aif.shape == (48, 64, 3)
    assert list(scene.focus_distances) == [1.0, 1.5, 2.5, 4.0, 6.0]
    assert 0.5 <= scene.depth.min() and scene.depth.max() <= 8.0
    assert 0 <= scene.frames.min() and scene.frames.max() <= 1  # the AIF's white level is 1
    assert scene.kernel_size % 2 == 1 and scene.preset == "nyuv2"


def test_synth_from_an_aif_and_depth_map():
    aif = (np.arange(32 * 40) % 251).reshape(32, 40).astype(np.uint8)
    depth = np.full((32, 40), 2.0)
    s = dfd.synth(aif, depth, focus_distances=[1, 2, 3], kernel_size=7)
    assert s.frames.shape == (3, 32, 40) and s.kernel_size == 7
    np.testing.assert_allclose(s.aif, aif / 255.0, rtol=1e-6)
    # In focus at 2 m, frame 1 is the AIF blurred only by the floor sigma: closest to it.
    err = [np.abs(f - s.aif).mean() for f in s.frames]
    assert np.argmin(err) == 1


def test_synth_errors():
    aif = np.zeros((8, 8), np.uint8)
    with pytest.raises(dfd.InputError, match=r"depth \(8x4\) does not match the size of aif \(8x8\)"):
        dfd.synth(aif, np.ones((4, 8)))
    with pytest.raises(dfd.InputError, match="depth: values must be positive"):
        dfd.synth(aif, np.zeros((8, 8)))
    with pytest.raises(dfd.UsageError, match="needs --blur-scale"):
        dfd.synth(uncalibrated=True)
    with pytest.raises(dfd.UsageError, match="give both aif and depth"):
        dfd.synth(aif)
    with pytest.raises(TypeError, match="'epochs'"):  # a solve flag, not `dfd synth`'s
        dfd.synth(epochs=3)


def test_metrics_against_hand_computed_values():
    pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    gt = np.array([[1.0, 1.0], [4.0, 4.0]])
    m = dfd.metrics(pred, gt)
    # |p - g| / g = 0, 1, 0.25, 0; max(p/g, g/p) = 1, 2, 4/3, 1 against 1.25, 1.25^2, 1.25^3.
    assert m["pixels"] == 4
    assert m["absrel"] == pytest.approx(1.25 / 4)
    assert m["rmse"] == pytest.approx(math.sqrt(2 / 4))
    assert (m["delta1"], m["delta2"], m["delta3"]) == (0.5, 0.75, 0.75)
    assert "psnr" not in m


def test_metrics_psnr_scales_each_aif_by_its_dtype():
    truth = np.full((4, 4), 0.5, np.float32)
    pred8 = np.full((4, 4), 140, np.uint8)  # 140 / 255 against 0.5
    m = dfd.metrics(np.ones((4, 4)), np.ones((4, 4)), pred8, truth)
    mse = (140 / 255 - 0.5) ** 2
    assert m["psnr"] == pytest.approx(10 * math.log10(1 / mse), rel=1e-5)
    assert m["absrel"] == 0 and m["delta1"] == 1


def test_metrics_errors_are_the_librarys():
    with pytest.raises(dfd.InputError, match="ground truth must be positive"):
        dfd.metrics(np.ones((2, 2)), np.zeros((2, 2)))
    with pytest.raises(dfd.InputError, match="must be single-channel maps of one size"):
        dfd.metrics(np.ones((2, 2)), np.ones((2, 3)))


def test_option_names_are_the_flags():
    names = dfd.option_names()
    for n in ["epochs", "window_size", "focal_length", "f_number", "pixel_size", "uncalibrated", "depth_range",
              "aif_solver", "backend", "align", "scale", "regularizer", "no_confidence"]:
        assert n in names
    assert "quiet" not in names and "help" not in names
    assert "epochs" not in dfd.option_names("synth") and "focal_length" in dfd.option_names("synth")
    assert "--epochs" not in dfd.option_help()["epochs"] and dfd.option_help()["epochs"]


def test_presets_and_options_objects():
    p = dfd.presets()
    assert set(p) == {"nyuv2", "make3d", "mobiledepth", "uncalibrated"}
    assert p["nyuv2"].resolved()["epochs"] == 40 and p["nyuv2"].preset == "nyuv2"
    o = dfd.Options(preset="make3d", epochs=7, window_size=3)
    assert o.epochs == 7 and o["window_size"] == 3 and dict(o) == {"preset": "make3d", "epochs": 7, "window_size": 3}
    assert o.resolved()["epochs"] == 7 and o.resolved()["depth"]["window"] == 3
    assert "preset            make3d" in o.summary()
    assert dfd.Options(uncalibrated=True).preset == "uncalibrated"
    with pytest.raises(dfd.UsageError, match="--epochs"):
        dfd.Options(epochs=-1)
