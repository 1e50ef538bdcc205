"""numpy arrays in: the dtype rules of dfd's image loaders, applied to arrays.

uint8 and uint16 frames are integer samples in [0, 255] and [0, 65535] (what 8- and 16-bit files
load as); other integer dtypes are integer samples too, with their white level given as
``range=``; floating-point frames are taken as they are, in [0, 1] unless ``range=`` says
otherwise. bool, complex, object, string and datetime arrays are not images: TypeError.
"""

import numpy as np

from . import _dfd

# dtype -> the natural white level of its samples (the image loaders' 8- and 16-bit ranges).
_NATURAL_RANGE = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}


def _as_image(a, what):
    """An array of a dtype dfd accepts, or TypeError naming `what`."""
    if isinstance(a, (str, bytes)) or a is None:
        raise TypeError(f"{what}: expected a numpy array, got {type(a).__name__}")
    arr = np.asarray(a)
    kind = arr.dtype.kind
    if kind == "b":
        raise TypeError(f"{what}: bool arrays are not images (give uint8, uint16, other integers with range=, "
                        "or floats)")
    if kind not in "uif":
        raise TypeError(f"{what}: arrays of dtype {arr.dtype} are not images (give uint8, uint16, other "
                        "integers with range=, or floats)")
    return arr


def natural_range(dtype, what, range=None):
    """(white level, quantisation step) of samples of this dtype; `range` overrides the level."""
    dtype = np.dtype(dtype)
    step = 1.0 if dtype.kind in "ui" else 0.0
    if range is not None:
        return float(range), step
    if dtype in _NATURAL_RANGE:
        return _NATURAL_RANGE[dtype], step
    if dtype.kind == "f":
        return 1.0, step
    raise _dfd.InputError(f"{what}: {dtype} samples have no natural white level: pass range= (uint8 and uint16 "
                          "take 255 and 65535, floats 1)")


def _drop_alpha(arr):
    # The image loaders drop alpha: (H, W, 4) is RGBA.
    return arr[..., :3] if arr.ndim == 3 and arr.shape[2] == 4 else arr


def frames(frames, range=None):
    """(list of (H, W[, C]) float32 arrays, white level, quantisation step) of a stack."""
    if isinstance(frames, (list, tuple)):
        items = [_as_image(f, f"frame {i}") for i, f in enumerate(frames)]
        for i, f in enumerate(items):
            if f.ndim not in (2, 3):
                raise _dfd.InputError(f"frame {i}: expected an (H, W) or (H, W, C) array, got shape {f.shape}")
    else:
        arr = _as_image(frames, "frames")
        if arr.ndim not in (3, 4):
            raise _dfd.InputError(f"frames: expected an (F, H, W) or (F, H, W, C) array or a list of (H, W[, C]) "
                                  f"arrays, got shape {arr.shape}")
        items = list(arr)
    if not items:
        raise _dfd.InputError("no frames given")
    dtype = items[0].dtype
    for i, f in enumerate(items[1:], 1):
        if f.dtype != dtype:
            raise _dfd.InputError(f"frame {i} is {f.dtype} but frame 0 is {dtype}: all frames must share one dtype")
    level, step = natural_range(dtype, "frames", range)
    return [np.ascontiguousarray(_drop_alpha(f), dtype=np.float32) for f in items], level, step


def image(a, what, range=None):
    """((H, W[, C]) float32 array, white level) of one image (alpha dropped)."""
    arr = _as_image(a, what)
    level, _ = natural_range(arr.dtype, what, range)
    return np.ascontiguousarray(_drop_alpha(arr), dtype=np.float32), level


def depth(a, what):
    """(H, W) float32 array of a depth map ((H, W, 1) accepted)."""
    arr = _as_image(a, what)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    if arr.ndim != 2:
        raise _dfd.InputError(f"{what}: expected an (H, W) depth map, got shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.float32)
