"""Bad input raises dfd's exceptions with the library's messages (those of `dfd solve`)."""

import numpy as np
import pytest

import dfd
from conftest import FAST


def test_exception_classes_are_builtins_too():
    assert issubclass(dfd.InputError, dfd.Error) and issubclass(dfd.InputError, ValueError)
    assert issubclass(dfd.UsageError, dfd.Error) and issubclass(dfd.UsageError, ValueError)
    assert issubclass(dfd.SolveError, RuntimeError) and issubclass(dfd.OutOfMemoryError, MemoryError)
    assert (dfd.UsageError.exit_code, dfd.InputError.exit_code, dfd.SolveError.exit_code,
            dfd.OutOfMemoryError.exit_code) == (2, 3, 4, 5)


def test_frames_of_different_sizes(scene):
    frames = list(scene.frames)
    frames[3] = frames[3][:40]
    with pytest.raises(dfd.InputError, match=r"frame 3: size 64x40 differs from frame 0 \(64x48\)"):
        dfd.solve(frames, scene.focus_distances, **FAST)


def test_wrong_number_of_focus_distances(scene):
    with pytest.raises(dfd.InputError, match="4 focus distances given for 5 frames: pass one focus distance per frame"):
        dfd.solve(scene.frames, scene.focus_distances[:4], **FAST)


def test_nan_in_a_frame(scene):
    frames = scene.frames.copy()
    frames[1, 10, 10, 0] = np.nan
    with pytest.raises(dfd.InputError, match="frame 1: contains NaN or infinite values"):
        dfd.solve(frames, scene.focus_distances, **FAST)


def test_negative_values(scene):
    with pytest.raises(dfd.InputError, match=r"frame 0: contains negative values"):
        dfd.solve(scene.frames - 0.5, scene.focus_distances, **FAST)


def test_focus_distance_not_beyond_the_focal_length(scene):
    fd = list(scene.focus_distances)
    fd[0] = dfd.Options(preset="nyuv2").resolved()["camera"]["focal_length"]  # in focus at f: no image
    with pytest.raises(dfd.InputError, match="frame 0: focus distance .* must be greater than the focal length"):
        dfd.solve(scene.frames, fd, **FAST)


def test_one_frame_is_not_a_stack(scene):
    with pytest.raises(dfd.InputError, match="a focal stack needs at least 2 frames"):
        dfd.solve(scene.frames[:1], scene.focus_distances[:1], **FAST)


def test_wrong_shapes(scene):
    with pytest.raises(dfd.InputError, match=r"expected an \(F, H, W\) or \(F, H, W, C\) array"):
        dfd.solve(scene.frames[0, :, :, 0], scene.focus_distances)
    with pytest.raises(dfd.InputError, match="2 channels; expected 1 \\(grey\\) or 3 \\(colour\\)"):
        dfd.solve(scene.frames[..., :2], scene.focus_distances, **FAST)
    with pytest.raises(TypeError, match="expected a numpy array, got str"):
        dfd.solve(["a.png", "b.png"], [1, 2])


def test_unknown_option_names_the_keyword_and_near_matches(scene):
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'window_sise'; did you mean window_size"):
        dfd.solve(scene.frames, scene.focus_distances, window_sise=5)
    with pytest.raises(TypeError, match="'epoch'; did you mean epochs"):
        dfd.Options(epoch=3)
    with pytest.raises(TypeError, match="'quiet': dfd.solve prints nothing"):
        dfd.solve(scene.frames, scene.focus_distances, quiet=True)


def test_bad_option_values_have_the_flags_messages(scene):
    with pytest.raises(dfd.UsageError, match="--epochs"):
        dfd.solve(scene.frames, scene.focus_distances, epochs=0)
    with pytest.raises(dfd.UsageError, match="--aif-solver"):
        dfd.solve(scene.frames, scene.focus_distances, aif_solver="sgd")
    with pytest.raises(dfd.UsageError, match="--preset"):
        dfd.solve(scene.frames, scene.focus_distances, preset="kinect")
    with pytest.raises(dfd.InputError, match="depth range maximum 1 must exceed the minimum 2"):
        dfd.solve(scene.frames, scene.focus_distances, depth_range=(2, 1))
    with pytest.raises(dfd.UsageError, match=r"--edge-floor: Value 2.0 not in range"):
        dfd.solve(scene.frames, scene.focus_distances, edge_floor=2.0)


def test_calibrated_preset_without_focus_distances(scene):
    with pytest.raises(dfd.UsageError, match="no focus distances for the make3d preset: pass --focus-distances"):
        dfd.solve(scene.frames, preset="make3d", **FAST)


def test_cuda_backend_without_a_gpu_is_a_solve_error(scene):
    if dfd.solve(scene.frames[:, :16, :16], scene.focus_distances, epochs=1, threads=1, no_confidence=True
                 ).report["backend"]["name"] != "cpu":
        pytest.skip("a CUDA device is present")
    with pytest.raises(dfd.SolveError, match="--backend cuda: "):
        dfd.solve(scene.frames, scene.focus_distances, backend="cuda", epochs=1)
