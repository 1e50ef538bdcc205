"""Options as keywords: each keyword is a `dfd solve` (or `dfd synth`) flag without its dashes,
'-' written '_' (``window_size=5`` is ``--window-size 5``). The flags' own definitions in the C++
library parse them, so names, checks and messages are those of ``dfd solve --help``."""

import difflib
import json
import numbers
from collections.abc import Mapping

import numpy as np

from . import _dfd

# Flags that have no meaning in Python, and why.
_REFUSED = {
    "quiet": "dfd.solve prints nothing; pass progress= to follow a solve",
}


def flag_names(command="solve"):
    """The keywords of dfd.solve (command "solve") or dfd.synth ("synth"), in flag order."""
    return [name.replace("-", "_") for name, _, _ in _dfd._flags(command) if name not in _REFUSED]


def flag_help(command="solve"):
    """{keyword: the flag's help text from `dfd <command> --help`}."""
    return {name.replace("-", "_"): text for name, text, _ in _dfd._flags(command) if name not in _REFUSED}


def _value_text(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        return repr(float(v))
    if isinstance(v, str):
        return v
    raise TypeError(f"expected a number, string or bool, got {type(v).__name__}")


def words(options, command, function):
    """The flag words of keyword options, e.g. {"window_size": 5} -> ["--window-size=5"].

    None means "not given". Unknown keywords are a TypeError naming the keyword and the nearest
    known ones; bad values are left to the flag definitions (UsageError with their message)."""
    known = {name: is_flag for name, _, is_flag in _dfd._flags(command)}
    out = []
    for key, value in options.items():
        if value is None:
            continue
        flag = key.replace("_", "-")
        if flag in _REFUSED:
            raise TypeError(f"{function}() keyword {key!r}: {_REFUSED[flag]}")
        if flag not in known:
            near = difflib.get_close_matches(key, flag_names(command), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise TypeError(f"{function}() got an unexpected keyword argument {key!r}{hint} (options are "
                            f"`dfd {command}` flags with '_' for '-': dfd.option_names({command!r}) lists them)")
        try:
            if isinstance(value, (list, tuple, np.ndarray)):
                text = ",".join(_value_text(v) for v in np.asarray(value).ravel().tolist())
            elif known[flag] and isinstance(value, (bool, np.bool_)):
                if value:
                    out.append(f"--{flag}")
                else:
                    out.append(f"--{flag}=false")
                continue
            else:
                text = _value_text(value)
        except TypeError as e:
            raise TypeError(f"{function}() keyword {key!r}: {e}") from None
        out.append(f"--{flag}={text}")
    return out


class Options(Mapping):
    """A preset with options over it, checked as `dfd solve` checks them.

    ``Options(preset="make3d", epochs=10)`` holds the keywords given (a mapping: pass it on as
    ``dfd.solve(frames, fd, **opts)``); ``resolved()`` is the options a solve starts from, as
    report.json's "options" records them, and ``summary()`` their one-per-line text. Bad names
    raise TypeError, bad values dfd.UsageError or dfd.InputError, with the library's messages.
    """

    def __init__(self, preset=None, **options):
        given = dict(options)
        if preset is not None:
            given["preset"] = preset
        self._init(given, validate=True)

    def _init(self, given, validate):
        self._given = {k: v for k, v in given.items() if v is not None}
        self._summary, text = _dfd._resolve(words(self._given, "solve", "Options"), validate)
        self._resolved = json.loads(text)

    @classmethod
    def _preset(cls, name):
        # A preset as it is, unchecked: mobiledepth's focal length is 0 until one is given
        # (calibrated.txt gives it to `dfd solve`).
        self = cls.__new__(cls)
        self._init({"preset": name}, validate=False)
        return self

    def __getitem__(self, key):
        return self._given[key]

    def __iter__(self):
        return iter(self._given)

    def __len__(self):
        return len(self._given)

    def __getattr__(self, key):
        given = self.__dict__.get("_given", {})
        if key in given:
            return given[key]
        raise AttributeError(f"Options has no option {key!r} given (resolved() has every value)")

    @property
    def preset(self):
        """The preset the options start from."""
        return self._resolved["preset"]

    def resolved(self):
        """Every option as a solve would start from (report.json "options"; K before the image size is known)."""
        return json.loads(json.dumps(self._resolved))

    def summary(self):
        """The options, one per line (Options::summary)."""
        return self._summary

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._given.items())
        return f"dfd.Options({args})"


def presets():
    """{name: Options(preset=name)} for every preset (nyuv2, make3d, mobiledepth, uncalibrated);
    mobiledepth's camera comes from a MobileDepth folder's calibrated.txt: give focal_length= and
    aperture= to solve arrays with it."""
    return {name: Options._preset(name) for name in _dfd._preset_names()}


def preset_focus_distances(name):
    """The focus distances a preset brings (nyuv2: 1, 1.5, 2.5, 4, 6 m; none for some)."""
    return list(_dfd._preset_focus_distances(name))
