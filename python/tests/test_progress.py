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
    # A Python thread that wakes every millisecond while a solve runs. The progress callback (GIL
    # held) marks the end of every step; inside the longest step the thread must have woken many
    # times. Were the GIL held while a step computes, it could only run between steps (0-1 wakes).
    scene = dfd.synth(width=128, height=96, seed=5)
    stamps, ends, done = [], [], threading.Event()

    def tick():
        while not done.is_set():
            stamps.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    start = time.perf_counter()
    try:
        dfd.solve(scene.frames, scene.focus_distances, epochs=2, backend="cpu", threads=1, no_confidence=True,
                  progress=lambda s: ends.append(time.perf_counter()))
    finally:
        done.set()
        t.join()
    bounds = [start] + ends
    lo, hi = max(zip(bounds, bounds[1:]), key=lambda b: b[1] - b[0])
    wakes = sum(lo < s < hi for s in stamps)
    assert hi - lo > 0.05, "the solve's steps are too short to tell"
    # ~1 wake a millisecond when idle (a loaded machine: far fewer, still many).
    assert wakes >= 5, (wakes, hi - lo)


def test_ctrl_c_stops_a_solve_between_steps(scene):
    # SIGINT during a solve: Python's handler runs at the next step's end and the solve stops
    # with KeyboardInterrupt (the solve would take seconds: 40 epochs).
    import os
    import signal

    steps = []
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            dfd.solve(scene.frames, scene.focus_distances, epochs=40, backend="cpu", threads=1,
                      progress=steps.append)
    finally:
        timer.cancel()
    assert len(steps) < 40  # stopped long before the 40 epochs (80 steps) end
