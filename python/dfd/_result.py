"""What dfd.solve and dfd.synth return: plain objects of numpy arrays (attributes, and keys)."""


class _Record:
    _fields = ()

    def __getitem__(self, key):
        if key not in self._fields:
            raise KeyError(key)
        return getattr(self, key)

    def keys(self):
        return list(self._fields)

    def __iter__(self):
        return iter(self._fields)

    def __repr__(self):
        parts = []
        for k in self._fields:
            v = getattr(self, k)
            shape = getattr(v, "shape", None)
            parts.append(f"{k}=<{v.dtype} {shape}>" if shape is not None else f"{k}=...")
        return f"dfd.{type(self).__name__}({', '.join(parts)})"


class Result(_Record):
    """A solve: depth (H, W) float32 in the focus distances' unit (frame-index units when
    uncalibrated), aif (H, W[, C]) float32 in the frames' units ([0, range]), confidence (H, W)
    float32 in [0, 1] (None with no_confidence=True), report (the dict `dfd solve` writes as
    report.json) and notes (what loading the input noted)."""

    _fields = ("depth", "aif", "confidence", "report", "notes")

    def __init__(self, depth, aif, confidence, report, notes):
        self.depth, self.aif, self.confidence, self.report, self.notes = depth, aif, confidence, report, notes


class Scene(_Record):
    """A rendered focal stack: frames (F, H, W[, C]) float32 in [0, 1], focus_distances (F,)
    float64, the ground truth depth (H, W) and aif (H, W[, C]) float32 in [0, 1], and the model
    window kernel_size it was rendered with."""

    _fields = ("frames", "focus_distances", "depth", "aif", "kernel_size", "preset")

    def __init__(self, frames, focus_distances, depth, aif, kernel_size, preset):
        self.frames, self.focus_distances, self.depth, self.aif = frames, focus_distances, depth, aif
        self.kernel_size, self.preset = kernel_size, preset
