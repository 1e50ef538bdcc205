"""dfd: depth from defocus. A focal stack in (numpy), a metric depth map and an all-in-focus
image out, through the same library, options and checks as the `dfd` command line.

    import dfd
    scene = dfd.synth(width=64, height=48)                    # a rendered stack and its truth
    r = dfd.solve(scene.frames, scene.focus_distances, preset="nyuv2", epochs=8)
    print(dfd.metrics(r.depth, scene.depth)["absrel"])

Options are `dfd solve` flags without dashes, '-' as '_' (``window_size=5``); dfd.option_names()
lists them and dfd.option_help() gives their help. Errors are dfd.Error subclasses carrying the
library's messages: UsageError and InputError (both ValueError), SolveError (RuntimeError),
OutOfMemoryError (MemoryError); an unknown keyword is a TypeError.
"""

import json

import numpy as np

from . import _convert, _dfd, _options
from ._dfd import Error, InputError, OutOfMemoryError, SolveError, UsageError, __version__
from ._options import Options, preset_focus_distances, presets
from ._result import Result, Scene

__all__ = ["solve", "synth", "metrics", "Options", "presets", "preset_focus_distances", "option_names",
           "option_help", "Result", "Scene", "Error", "UsageError", "InputError", "SolveError",
           "OutOfMemoryError", "__version__"]


def option_names(command="solve"):
    """The option keywords of dfd.solve ("solve") or dfd.synth ("synth")."""
    return _options.flag_names(command)


def option_help(command="solve"):
    """{keyword: help text of its `dfd <command>` flag}."""
    return _options.flag_help(command)


def solve(frames, focus_distances=None, preset=None, *, backend=None, progress=None, **options):
    """Solves a focal stack for depth and an all-in-focus image.

    frames: an (F, H, W) or (F, H, W, C) array, or a list of (H, W) / (H, W, C) arrays (C = 1 or 3;
    a fourth channel, alpha, is dropped). uint8 and uint16 are 8- and 16-bit samples (white level
    255 and 65535), floats are taken as they are in [0, 1]; other integer dtypes need range=.
    focus_distances: one per frame, in the camera's unit (metres for the presets); None: the
    preset's, or, with no preset asked for either, the uncalibrated model (relative depth), as
    `dfd solve` does. preset: "nyuv2", "make3d", "mobiledepth" or "uncalibrated".
    backend: "auto" (CUDA when a GPU is present), "cpu" or "cuda".
    progress: called after every step with a dict (epoch, epochs, step, loss, objective, seconds,
    iterations, reverted, elapsed, remaining, line); an exception it raises stops the solve and
    propagates. The GIL is released while the solve runs; Ctrl-C stops it between steps.
    **options: any other `dfd solve` flag, e.g. epochs=10, window_size=5, focal_length=0.05,
    depth_range=(0.5, 8), uncalibrated=True, align=True, scale=0.5.
    Returns a dfd.Result: depth, aif, confidence, report (report.json's dict), notes.
    """
    if progress is not None and not callable(progress):
        raise TypeError(f"solve() progress: expected a callable, got {type(progress).__name__}")
    given = dict(options)
    if isinstance(focus_distances, (str, bytes)):
        raise TypeError("solve() focus_distances: expected a sequence of numbers, got a string")
    if focus_distances is not None:
        fd = np.asarray(focus_distances, dtype=np.float64).ravel()
        if fd.size == 0:
            raise InputError("focus_distances is empty: give one focus distance per frame")
        given["focus_distances"] = fd
    given["preset"] = preset
    given["backend"] = backend
    w = _options.words(given, "solve", "solve")
    arrays, level, step = _convert.frames(frames, given.get("range"))
    out = _dfd._solve(arrays, level, step, w, progress)
    return Result(out["depth"], out["aif"], out["confidence"], json.loads(out["report"]), list(out["notes"]))


def synth(aif=None, depth=None, focus_distances=None, preset=None, *, width=64, height=48,
          depth_range=(0.5, 8.0), seed=1, range=None, **options):
    """Renders a focal stack with the exact forward model, as `dfd synth` does.

    aif (H, W[, C]) and depth (H, W): the scene (both, or neither: the procedural scene of
    `dfd demo`, width x height, depths within depth_range, from seed). aif's dtype gives its white
    level as for frames (range= overrides). focus_distances: default the preset's (nyuv2:
    1, 1.5, 2.5, 4, 6 m). **options: `dfd synth`'s camera flags (focal_length, f_number,
    aperture, pixel_size, thresh, kernel_size, uncalibrated, blur_scale).
    Returns a dfd.Scene: frames (F, H, W, C) float32 in [0, 1] (the AIF divided by its white
    level; pass them to dfd.solve as they are), focus_distances, depth, aif, kernel_size.
    """
    given = dict(options)
    if focus_distances is not None:
        given["focus_distances"] = np.asarray(focus_distances, dtype=np.float64).ravel()
    given["preset"] = preset
    w = _options.words(given, "synth", "synth")
    scene = _dfd._SceneArgs()
    scene.width, scene.height, scene.seed = int(width), int(height), int(seed)
    lo, hi = depth_range
    scene.depth_min, scene.depth_max = float(lo), float(hi)
    if (aif is None) != (depth is None):
        raise UsageError("give both aif and depth, or neither (the procedural scene)")
    aif_arr, level = (None, 255.0) if aif is None else _convert.image(aif, "aif", range)
    depth_arr = None if depth is None else _convert.depth(depth, "depth")
    out = _dfd._synth(aif_arr, depth_arr, level, scene, w)
    return Scene(np.stack(out["frames"]), np.asarray(out["focus_distances"], dtype=np.float64), out["depth"],
                 out["aif"], out["kernel_size"], out["preset"])


def metrics(depth, truth, aif=None, aif_truth=None, range=None):
    """The metrics of `dfd eval`: {"rmse", "absrel", "delta1", "delta2", "delta3", "pixels"} over
    all pixels (SPEC 7), and "psnr" when aif and aif_truth are given (each scaled by its dtype's
    white level onto the truth's, as `dfd eval` does; range= sets one level for both)."""
    d, t = _convert.depth(depth, "depth"), _convert.depth(truth, "truth")
    a = b = None
    level = 1.0
    if (aif is None) != (aif_truth is None):
        raise UsageError("give both aif and aif_truth for the PSNR, or neither")
    if aif is not None:
        a, la = _convert.image(aif, "aif", range)
        b, level = _convert.image(aif_truth, "aif_truth", range)
        if la != level:
            a = a * np.float32(level / la)
    return json.loads(_dfd._metrics(d, t, a, b, level))
