"""Errors say exactly what they carry: message, component, severity (the policy routes on it),
and a configuration error lists every problem in one message."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from system_under_test.errors import (
    ConfigValidationError,
    DeviceLostError,
    IllegalTransitionError,
    Severity,
)
from system_under_test.lifecycle import State


def test_an_error_keeps_its_message_component_and_severity():
    e = DeviceLostError("gone", component="device", severity=Severity.WARNING, details={"n": 1})
    assert (e.message, e.component, e.severity, e.details) == ("gone", "device", Severity.WARNING, {"n": 1})
    assert e.args == ("gone",)
    assert str(e) == "[device] gone"
    plain = DeviceLostError("gone")
    assert str(plain) == "gone" and plain.severity == Severity.CRITICAL and plain.component is None


def test_a_validation_error_lists_every_problem_in_one_message():
    one = ConfigValidationError([("stream.block_size", "too big")])
    assert one.message == "invalid configuration (1 problem):\n  - stream.block_size: too big"
    two = ConfigValidationError([("a", "x"), ("b", "y")], source="my.toml")
    assert two.message == "invalid configuration in my.toml (2 problems):\n  - a: x\n  - b: y"
    assert two.source == "my.toml" and one.source is None
    assert two.component == "config" and two.details == {"problems": [["a", "x"], ["b", "y"]]}
    assert two.problems == [("a", "x"), ("b", "y")]


def test_an_illegal_transition_names_both_states():
    e = IllegalTransitionError("dsp", State.PAUSED, State.STARTING)
    assert (e.component, e.current, e.target) == ("dsp", State.PAUSED, State.STARTING)
    assert e.message == "illegal transition paused -> starting (not in the transition table)"
    assert e.severity == Severity.WARNING
    assert e.details == {"from": "paused", "to": "starting"}
    assert type(e.details["from"]) is str and type(e.details["to"]) is str  # JSON values, not members
    why = IllegalTransitionError("dsp", "a", "b", reason="busy")
    assert why.message == "illegal transition a -> b (busy)" and why.details == {"from": "a", "to": "b"}


# --- the JSON-safe description histories and reports read -------------------------------------

from system_under_test.errors import (  # noqa: E402  (kept beside the tests that use them)
    MAX_FRAMES,
    MAX_TEXT,
    AudioSystemError,
    CallbackError,
    ErrorInfo,
    ResourceLimitError,
    short_traceback,
)


class _Opaque:
    def __repr__(self) -> str:
        return "<opaque>"


def test_describe_gives_the_exact_json_record():
    e = DeviceLostError("gone", component="device", details={"n": 1})
    assert e.describe() == {
        "type": "DeviceLostError", "message": "gone", "component": "device",
        "severity": "CRITICAL", "recoverable": True, "details": {"n": 1},
    }
    plain = AudioSystemError("x")
    assert plain.describe() == {
        "type": "AudioSystemError", "message": "x", "component": None,
        "severity": "ERROR", "recoverable": False, "details": {},
    }
    assert ResourceLimitError("full").describe()["severity"] == "WARNING"


def test_describe_makes_every_detail_json_safe():
    long = "y" * (MAX_TEXT + 1)
    details = {
        "text": "ok", "edge": "e" * MAX_TEXT, "long": long, "int": 3, "float": 0.5, "flag": True,
        "none": None, "tuple": (1, "a", (2,)), "list": [_Opaque()], "nested": {1: {"k": _Opaque()}},
        "obj": _Opaque(),
    }
    got = CallbackError("x", details=details).describe()["details"]
    assert got == {
        "text": "ok", "edge": "e" * MAX_TEXT, "long": "y" * MAX_TEXT + "...[cut]", "int": 3,
        "float": 0.5, "flag": True, "none": None, "tuple": [1, "a", [2]], "list": ["<opaque>"],
        "nested": {"1": {"k": "<opaque>"}}, "obj": "<opaque>",
    }
    assert got["flag"] is True and type(got["int"]) is int and type(got["tuple"]) is list
    assert list(got) == list(details)  # the order the error gave


def test_error_info_of_an_audio_error_keeps_its_fields_as_json():
    e = DeviceLostError("m" * (MAX_TEXT + 5), component="device", severity=Severity.WARNING,
                        details={"obj": _Opaque(), "n": 2})
    info = ErrorInfo.of(e, component="ignored")  # the error's own component wins
    assert (info.kind, info.component, info.severity, info.recoverable) == \
        (DeviceLostError, "device", Severity.WARNING, True)
    assert info.message == "m" * MAX_TEXT + "...[cut]"
    assert dict(info.details) == {"obj": "<opaque>", "n": 2}
    assert info.type == "DeviceLostError" and info.traceback == ""  # never raised
    assert info.describe() == {
        "type": "DeviceLostError", "message": "m" * MAX_TEXT + "...[cut]", "component": "device",
        "severity": "WARNING", "recoverable": True, "details": {"obj": "<opaque>", "n": 2},
    }
    assert ErrorInfo.of(info) is info
    assert str(info) == "[device] " + info.message and str(ErrorInfo.of(CallbackError("c"))) == "c"
    bare = ErrorInfo.of(CallbackError("c"))
    assert dict(bare.details) == {} and bare.describe()["details"] == {} and bare.component is None


@pytest.mark.parametrize("error", [
    DeviceLostError("gone", component="device", details={"obj": _Opaque(), "n": 2, "nested": {"k": [1]}}),
    CallbackError("c"),  # no details: the shared empty ones
    KeyError("k"),
], ids=["details", "no-details", "foreign"])
def test_a_description_is_plain_json_of_its_own_whatever_its_reader_does(error):
    """``describe()`` of a kept error (``ErrorInfo``) is what ``AudioSystemError.describe`` gives:
    plain JSON (``json.dumps`` takes it as it is: a system event's listener, a report), a dict of
    the reader's own each call, so a reader's edit changes neither the record nor the next reading."""
    import json

    info = ErrorInfo.of(error, component="device")
    first = info.describe()
    assert json.loads(json.dumps(first)) == first
    assert type(first) is dict and type(first["details"]) is dict
    if isinstance(error, AudioSystemError):
        assert first == {**error.describe(), "details": dict(info.details)}
    kept = dict(info.details)
    first["details"]["added"] = 1
    first["message"] = "edited"
    assert dict(info.details) == kept and info.describe() == {**first, "message": info.message,
                                                                "details": kept}


def test_error_info_of_a_foreign_exception():
    info = ErrorInfo.of(KeyError("k"), component="dsp")
    assert info.describe() == {
        "type": "KeyError", "message": "KeyError('k')", "component": "dsp", "severity": "ERROR",
        "recoverable": False, "details": {},
    }
    assert info.is_a(LookupError) and not info.is_a(AudioSystemError)
    assert ErrorInfo.of(KeyError("k")).component is None
    assert info == ErrorInfo(KeyError, "KeyError('k')", "dsp", Severity.ERROR, False)


# --- the short traceback a record keeps -------------------------------------------------------

def _raise_nested(depth: int) -> None:
    if depth:
        _raise_nested(depth - 1)
    raise ValueError("deep")


def _frames(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("  File ")]


def test_short_traceback_keeps_the_innermost_frames_in_order():
    try:
        _raise_nested(6)
    except ValueError as exc:
        text = short_traceback(exc)
        two = short_traceback(exc, max_frames=2)
    frames = _frames(text)
    assert len(frames) == MAX_FRAMES == 4 and text.splitlines() == frames
    assert all(f.endswith(", in _raise_nested") and f.startswith('  File "') for f in frames)
    assert frames[-1].startswith(f'  File "{__file__}", line ')
    lines = [int(f.split(", line ")[1].split(",")[0]) for f in frames]
    assert lines[:3] == [lines[0]] * 3 and lines[3] == lines[0] + 1  # the recursion, then the raise
    assert _frames(two) == frames[-2:]


def _described_where_caught() -> tuple[str, int, int]:
    """``short_traceback`` of an exception read in the handler that caught it, with the line the
    exception passed in this frame and the line the frame stands at while it reads it."""
    try:
        _raise_nested(0)
    except ValueError as exc:
        raised_at = exc.__traceback__.tb_lineno  # type: ignore[union-attr]  # this frame's, the call's
        text, read_at = short_traceback(exc), sys._getframe().f_lineno
    return text, raised_at, read_at


def test_short_traceback_names_the_line_each_frame_passed_the_exception_not_where_it_stands_now():
    """Each frame's line is the one the exception passed through there, as Python's own traceback
    prints it: a frame still running when the record is made (the handler that caught the error,
    the callback's ``except``) has moved on since, and the line it stands at now names the handler."""
    text, raised_at, read_at = _described_where_caught()
    assert raised_at != read_at
    frames = _frames(text)
    assert frames[0].endswith(", in _described_where_caught")
    assert f", line {raised_at}, " in frames[0] and f", line {read_at}, " not in text


def _chain(n: int) -> BaseException:
    """An exception caused by n - 1 others, each raised, the outermost first."""
    try:
        if n == 1:
            raise OSError("root")
        raise RuntimeError(f"level {n}") from _chain(n - 1)
    except BaseException as exc:  # noqa: BLE001 - returned for inspection
        return exc


def test_short_traceback_follows_the_cause_chain_to_its_limit():
    text = short_traceback(_chain(6))
    causes = [line for line in text.splitlines() if line.startswith("caused by ")]
    assert causes == ["caused by RuntimeError: level 5", "caused by RuntimeError: level 4",
                      "caused by RuntimeError: level 3"]  # max_causes=3: three causes, then stop
    assert [line for line in short_traceback(_chain(2)).splitlines() if not line.startswith("  ")] == \
        ["caused by OSError: root"]
    one = short_traceback(_chain(6), max_causes=1)
    assert [line for line in one.splitlines() if line.startswith("caused")] == \
        ["caused by RuntimeError: level 5"]


def test_short_traceback_reads_an_implicit_context_unless_suppressed():
    def implicit() -> BaseException:
        try:
            try:
                raise OSError("first")
            except OSError:
                raise ValueError("second")  # noqa: B904 - the implicit context is the point
        except ValueError as exc:
            return exc

    def suppressed() -> BaseException:
        try:
            try:
                raise OSError("first")
            except OSError:
                raise ValueError("second") from None
        except ValueError as exc:
            return exc

    assert "caused by OSError: first" in short_traceback(implicit()).splitlines()
    assert "caused by" not in short_traceback(suppressed())


def test_short_traceback_stops_at_a_cycle_and_cuts_long_text():
    a, b = _chain(1), _chain(1)
    a.__cause__, b.__cause__ = b, a
    text = short_traceback(a, max_causes=10)
    assert [line for line in text.splitlines() if line.startswith("caused")] == ["caused by OSError: root"]
    big = _chain(1)
    big.__cause__ = RuntimeError("z" * (3 * MAX_TEXT))
    cut = short_traceback(big)
    assert len(cut) == MAX_TEXT + len("...[cut]") and cut.startswith("...[cut]")
    assert cut.endswith("z" * 10)
    exact = short_traceback(_chain(1))
    assert len(exact) < MAX_TEXT and not exact.startswith("...")


def test_short_traceback_keeps_text_of_exactly_the_limit():
    def caused_by(message_len: int) -> BaseException:
        outer = RuntimeError("outer")  # never raised: no frames, only the cause line
        outer.__cause__ = OSError("q" * message_len)
        return outer

    head = len("caused by OSError: ")
    assert short_traceback(caused_by(MAX_TEXT - head)) == "caused by OSError: " + "q" * (MAX_TEXT - head)
    over = short_traceback(caused_by(MAX_TEXT - head + 1))
    assert over == "...[cut]" + "aused by OSError: " + "q" * (MAX_TEXT - head + 1)


def test_error_info_of_a_raised_error_keeps_where_it_was_raised():
    for exc_type in (CallbackError, KeyError):
        try:
            _raise_as(exc_type)
        except (CallbackError, KeyError) as exc:
            info, expected = ErrorInfo.of(exc), short_traceback(exc)
        assert info.traceback == expected != ""
        assert _frames(info.traceback)[-1].endswith(", in _raise_as")
        assert info.describe()["details"] == {}  # the details stay details, the traceback apart


def _raise_as(exc_type: type[BaseException]) -> None:
    raise exc_type("raised")


#: Each class's default severity and whether recovery may fix it: what the routing table of
#: ``recovery.py`` is fed when a reporter says nothing more, and what every report prints. A device
#: that vanished, stalled, changed rate or whose host call timed out (its host is killed) is
#: CRITICAL: the stream is broken; a missing backend and an exhausted recovery are FATAL; an xrun,
#: a dry pool and a refused allocation are WARNINGs the system lives with.
DEFAULTS = {
    "AudioSystemError": ("ERROR", False), "ConfigError": ("ERROR", False),
    "ConfigValidationError": ("ERROR", False), "ConfigMigrationError": ("ERROR", False),
    "LifecycleError": ("ERROR", False), "IllegalTransitionError": ("ERROR", False),
    "SystemClosedError": ("ERROR", False), "RegistrationError": ("ERROR", False),
    "ResourceError": ("ERROR", False), "ResourceLimitError": ("WARNING", True),
    "BufferPoolExhaustedError": ("WARNING", True), "DeviceError": ("ERROR", True),
    "DeviceNotFoundError": ("ERROR", True), "DeviceLostError": ("CRITICAL", True),
    "DeviceStalledError": ("CRITICAL", True), "DeviceFormatError": ("ERROR", False),
    "SampleRateChangedError": ("CRITICAL", True), "BackendUnavailableError": ("FATAL", False),
    "DeviceTimeoutError": ("CRITICAL", True), "ProcessingError": ("ERROR", True),
    "CallbackError": ("ERROR", True), "XrunError": ("WARNING", True),
    "RecoveryError": ("FATAL", False), "SimulatedError": ("CRITICAL", True),
}


def test_every_error_class_has_its_documented_default_severity_and_recoverability():
    import system_under_test.errors as errors

    classes = {n: getattr(errors, n) for n in errors.__all__
               if isinstance(getattr(errors, n), type) and issubclass(getattr(errors, n), Exception)}
    assert set(classes) == set(DEFAULTS)
    got = {n: (c.default_severity.name, c.recoverable) for n, c in classes.items()}
    assert got == DEFAULTS


_DETAIL_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                           st.floats(allow_nan=False))


def _error_classes_taking_details() -> list[type]:
    """Every error class of the tree built with ``AudioSystemError``'s own signature (message,
    component, severity, details): the ones with a constructor of their own build their details
    themselves."""
    import system_under_test.errors as errors

    return [c for n in errors.__all__ if isinstance(c := getattr(errors, n), type)
            and issubclass(c, errors.AudioSystemError) and c.__init__ is errors.AudioSystemError.__init__]


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(st.sampled_from(_error_classes_taking_details()),
       st.dictionaries(st.text(min_size=1, max_size=6), _DETAIL_VALUES, min_size=1, max_size=5),
       st.dictionaries(st.text(min_size=1, max_size=6), _DETAIL_VALUES, max_size=3))
def test_an_error_keeps_the_details_it_was_given_whatever_the_reporter_does_with_its_dict(cls, details, later):
    """An error's details are its own from the moment it is made: a reporter that reuses its dict
    for the next report (clears it, fills it again) changes neither the error it already made nor
    what is kept of it (``ErrorInfo``) or said of it (``describe``)."""
    err = cls("m", component="device", details=details)
    given_ = dict(details)
    described = err.describe()
    details.clear()
    details.update(later)
    details["reused"] = True
    assert err.details == given_
    assert err.describe() == described
    assert dict(ErrorInfo.of(err).details) == {k: v for k, v in described["details"].items()}


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=6), st.text(max_size=12)), min_size=1, max_size=4))
def test_a_validation_error_keeps_the_problems_it_was_given(problems):
    """The same for a configuration's problems: the list a validator goes on filling after it made
    the error is not the error's."""
    kept = list(problems)
    err = ConfigValidationError(problems)
    message, details = err.message, err.describe()["details"]
    problems.append(("later", "added after the error was made"))
    assert err.problems == kept and err.message == message and err.describe()["details"] == details
