"""The progress callback, exceptions raised in it, and the GIL released while solving."""

import threading
import time

import numpy as np
import pytest

import dfd
from conftest import FAST


def test_progress_is_called_after_every_step(scene):
    steps = []
    r = dfd.solve(scene.frames, scene.focus_distances, progress=steps.append, **FAST)
    assert len(steps) == len(r.report["log"])
    assert [s["step"] for s in steps] == [e["step"] for e in r.report["log"]]
    last = steps[-1]
    assert last["epoch"] == FAST["epochs"] - 1 and last["epochs"] == FAST["epochs"]
    assert last["remaining"] == 0.0 and last["elapsed"] > 0
    assert "epoch" in last["line"] and "loss" in last["line"]
    assert np.isclose(last["loss"], r.report["final_loss"])


class Stop(Exception):
    pass


def test_an_exception_in_progress_stops_the_solve_and_propagates(scene, solved):
    seen = []

    def stop_at_the_third_step(step):
        seen.append(step)
        if len(seen) == 3:
            raise Stop("enough")

    with pytest.raises(Stop, match="enough"):
        dfd.solve(scene.frames, scene.focus_distances, progress=stop_at_the_third_step, **FAST)
    assert len(seen) == 3
    # The module is left usable: the same solve again gives the same result.
    r = dfd.solve(scene.frames, scene.focus_distances, preset="nyuv2", **FAST)
    np.testing.assert_array_equal(r.depth, solved.depth)


def test_progress_must_be_callable(scene):
    with pytest.raises(TypeError, match="progress: expected a callable"):
        dfd.solve(scene.frames, scene.focus_distances, progress=3)


def test_the_gil_is_released_while_solving():
    # A Python thread that wakes every millisecond, while a solve with a long step runs: with the
    # GIL released it keeps waking (gaps of milliseconds); held, it would stall for a whole step.
    scene = dfd.synth(width=128, height=96, seed=5)
    stamps, done = [], threading.Event()

    def tick():
        while not done.is_set():
            stamps.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    t0 = time.perf_counter()
    r = dfd.solve(scene.frames, scene.focus_distances, epochs=2, backend="cpu", threads=1, no_confidence=True)
    t1 = time.perf_counter()
    done.set()
    t.join()
    longest_step = max(e["seconds"] for e in r.report["log"])
    inside = [s for s in stamps if t0 <= s <= t1]
    gaps = np.diff([t0] + inside + [t1])
    assert longest_step > 0.05, "the solve's steps are too short to tell"
    assert gaps.max() < 0.5 * longest_step, (gaps.max(), longest_step)
