"""The ``soundcheck`` command line.

Exit status everywhere: 0 all held, 1 something failed (a verdict, not a crash), 2 a usage,
input-file or configuration error, printed as one clear message without a traceback, 3 inconclusive
(nothing failed, but a check could not reach a verdict: never a pass, so CI stays red on it unless
told otherwise).

``main`` is the one place that keeps that contract whatever a command raises: the harness's own
errors and the system's ``ConfigError`` are exit 2 with their message; an ``OSError`` on a file the
user named (a folder where a file was expected, ``/dev/full``, no permission) is exit 2 naming the
file; anything else is a bug in soundcheck, reported as exit 1 with a one-line message and the path
of a log file holding the traceback, never as a silent pass and never as a traceback on the terminal.

SIGTERM is left at its default until a run or soak begins (``install_stop_signals``, before its run
folder is made): one that comes while the command's modules load or its options are checked ends the
process, exit 143 from a shell, with nothing written. That is the whole of it: no run began, so there
is no folder, history row or report to mark interrupted, and a handler installed earlier could only
postpone the exit.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import gc
import importlib
import pkgutil
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from typing import NoReturn
from pathlib import Path

#: BLAS threads of this process, unless the user's environment says otherwise. OpenBLAS starts one
#: thread per core and they spin between calls; the harness's matrix products (the audio check's
#: per-block fits) are small, so on a busy machine the spinning costs CPU and gains nothing: a
#: 60 s simulated run took 0.9 s more CPU with the default (measured with /usr/bin/time). It has
#: to be set before numpy loads OpenBLAS, that is before the first import below.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from . import commands  # noqa: E402 - after the BLAS setting above
from .errors import HarnessError  # noqa: E402


class _Parser(argparse.ArgumentParser):
    """The parser of ``soundcheck`` and of every command under it (``add_subparsers`` hands its
    class down): a usage error is exit 2 and ONE line that names the argument and the fix.

    Why: argparse prints its usage block (up to eight lines for ``run``) before the error, and
    its messages name no fix ("expected one argument", "unrecognized arguments: --profile", at
    the top level, without the command it was given to). The project's rule for bad input is one
    message naming what was wrong and how to mend it; ``--help`` still prints the whole usage."""

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        """A command's own parser (one without commands under it) refuses what it does not know
        itself, so the message names that command and its options, not the top level's."""
        self._given = list(args) if args is not None else sys.argv[1:]
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and self._subparsers is None and self.prog != "soundcheck":
            self.error(self._unrecognized(extras))
        return parsed, extras

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        self.exit(2, f"soundcheck: error: {_one_line(self._with_fix(message))}\n")

    def _see_help(self) -> str:
        return f"see `{self.prog} --help`"

    def _options(self) -> list[str]:
        return [s for a in self._actions for s in a.option_strings if s.startswith("--") and s != "--help"]

    def _action(self, name: str) -> argparse.Action | None:
        for action in self._actions:
            if name in action.option_strings or name in (action.metavar, action.dest):
                return action
        return None

    def _unrecognized(self, extras: Sequence[str]) -> str:
        """The first argument ``self`` does not take, what it may have meant, and the fix."""
        arg = extras[0]
        if arg.startswith("-") and len(arg) > 1:
            name = arg.split("=", 1)[0]
            close = difflib.get_close_matches(name, self._options(), n=1, cutoff=0.6)
            hint = (f"did you mean {close[0]}?" if close else
                    f"{self.prog} takes {', '.join(self._options()) or 'no option'}")
            return f"unknown option {name!r} for {self.prog}: {hint} ({self._see_help()})"
        return (f"unexpected argument {arg!r} for {self.prog}: remove it, or quote it if it belongs to "
                f"the option before it ({self._see_help()})")

    def _with_fix(self, message: str) -> str:
        """argparse's ``message`` with what to do about it (already said by ``_unrecognized``)."""
        if message.startswith(("unknown option ", "unexpected argument ")):
            return message
        if message.startswith("unrecognized arguments: "):  # only the top level, before any command
            return self._unrecognized(message.removeprefix("unrecognized arguments: ").split())
        if message.startswith("the following arguments are required: "):
            names = message.removeprefix("the following arguments are required: ").split(", ")
            action = self._action(names[0])
            choices = getattr(action, "choices", None)
            what = (f"give one of {', '.join(map(str, choices))}" if choices else
                    f"give {names[0]}" + (f" ({self._help_of(action)})" if self._help_of(action) else ""))
            where = "" if self.prog == "soundcheck" else f"{self.prog}: "
            return f"{where}{', '.join(names)} missing: {what} ({self._see_help()})"
        if message.endswith(": expected one argument"):
            name = message.removeprefix("argument ").removesuffix(": expected one argument").split("/")[-1]
            action = self._action(name)
            what = f"{name} {action.metavar or action.dest.upper()}" if action is not None else name
            dashed = self._dashed_value_after(action)
            if dashed is not None:  # ``--duration -1h``: argparse took the value for an option
                return (f"{name} needs a value: {dashed!r} after it begins with '-' and was read as an option; "
                        f"to give it as the value write {name}={dashed} ({self._see_help()})")
            help_text = self._help_of(action)
            return (f"{name} needs a value: give {what}" + (f" ({help_text})" if help_text else "")
                    + f"; {self._see_help()}")
        if ": invalid choice: " in message:
            head, _, rest = message.partition(": invalid choice: ")
            bad = rest.split(" (choose from", 1)[0].strip("'")
            action = self._action(head.removeprefix("argument ").split("/")[-1])
            choices = [str(c) for c in (getattr(action, "choices", None) or ())]
            close = difflib.get_close_matches(bad, choices, n=1, cutoff=0.6)
            return message + (f"; did you mean {close[0]!r}?" if close else "") + f" ({self._see_help()})"
        return f"{message} ({self._see_help()})"

    def _dashed_value_after(self, action: argparse.Action | None) -> str | None:
        """The argument after ``action``'s option on the command line when it begins with '-' and
        is no option of this command (a negative or dashed value argparse reads as an option)."""
        given = getattr(self, "_given", [])
        for i, arg in enumerate(given[:-1]):
            if action is not None and arg in action.option_strings:
                nxt = given[i + 1]
                if nxt.startswith("-") and nxt.split("=", 1)[0] not in self._option_string_actions:
                    return nxt
        return None

    def _help_of(self, action: argparse.Action | None) -> str:
        """``action``'s help text with its ``%(default)s`` filled in, or ''."""
        if action is None or not action.help or action.help == argparse.SUPPRESS:
            return ""
        try:
            return self._get_formatter()._expand_help(action)  # noqa: SLF001 - argparse's own expansion
        except (KeyError, TypeError, ValueError):
            return str(action.help)


#: longest argparse message printed: a bad value is quoted in it, and a 10 MB one is not echoed whole
MAX_USAGE_MESSAGE = 500


def _one_line(message: str) -> str:
    """``message`` on one line, cut at ``MAX_USAGE_MESSAGE`` characters with a note."""
    message = " ".join(message.split())
    if len(message) > MAX_USAGE_MESSAGE:
        message = message[:MAX_USAGE_MESSAGE] + f"... (message cut, {len(message)} characters)"
    return message


def command_names() -> list[str]:
    """Every sub-command, one module each in ``harness.commands`` (found without importing them)."""
    return sorted(info.name for info in pkgutil.iter_modules(commands.__path__))


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``only`` when it names one: a command imports what it
    needs (a run: numpy, scipy, the system), and the others' imports are start-up time it never
    uses (measured with ``python -X importtime``)."""
    parser = _Parser(
        prog="soundcheck",
        description="Reliability test harness and fault-injection suite for real-time audio.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    names = command_names()
    for name in ([only] if only in names else names):
        module = importlib.import_module(f"{commands.__name__}.{name}")
        module.register(sub)
    return parser


#: longest error message printed (a message quoting a huge bad value is cut, with a note)
MAX_MESSAGE = 4_000


def _say(message: str) -> None:
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + f"... (message cut, {len(message)} characters)"
    print(f"soundcheck: error: {message}", file=sys.stderr)


def _misplaced_option(argv: Sequence[str]) -> str | None:
    """An option before the command (``soundcheck --bogus``) that the top level does not know."""
    for arg in argv:
        if not arg.startswith("-"):
            return None
        if arg not in ("-h", "--help"):
            return arg
    return None


def crash_log(exc: BaseException) -> Path | None:
    """Write ``exc``'s traceback to a log file (``$SOUNDCHECK_LOG_DIR`` or the temp folder)."""
    folder = Path(os.environ.get("SOUNDCHECK_LOG_DIR") or Path(tempfile.gettempdir()) / f"soundcheck-{os.getuid()}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"soundcheck {' '.join(sys.argv)}\n")
            fh.write("".join(traceback.format_exception(exc)))
        return path
    except OSError:
        return None


def _load_quietly(argv: list[str]) -> argparse.ArgumentParser:
    """The parser (``build_parser``), its command's modules loaded with the cyclic garbage
    collector off and then frozen out of its reach (``gc.freeze``).

    Why: loading a run's modules builds some hundred thousand objects (pydantic's models and
    schemas, numpy, the system's configuration) that live as long as the process. The collector
    walked them ~100 times while they loaded and again at every full collection of the run:
    measured on a 60 s simulated run (``gc.callbacks``), ~0.28 s of its CPU, 0.06 s with the
    modules loaded without it and frozen. Only for the process's own command line: a caller of
    ``main`` from Python keeps its collector as it was."""
    gc.disable()
    try:
        parser = build_parser(argv[0] if argv and not argv[0].startswith("-") else None)
        import system_under_test.errors  # noqa: F401 - ``main`` catches its ConfigError
    finally:
        gc.freeze()
        gc.enable()
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    own = argv is None  # the process's own command line, not a call from Python
    argv = list(sys.argv[1:] if argv is None else argv)
    bad = _misplaced_option(argv)
    if bad is not None:
        _say(f"unknown option {bad!r} before the command; options go after it "
             "(soundcheck COMMAND --option), see soundcheck --help")
        return 2
    # ``soundcheck run ...`` builds the run command's parser only; anything else (no command, a
    # mistyped one, --help) the whole parser, so usage and "invalid choice" list every command
    try:
        parser = (_load_quietly(argv) if own else
                  build_parser(argv[0] if argv and not argv[0].startswith("-") else None))
    except KeyboardInterrupt:  # Ctrl-C while the command's modules load: a traceback said so before
        print("soundcheck: interrupted before anything ran; nothing was written", file=sys.stderr)
        return 130
    from system_under_test.errors import ConfigError  # noqa: PLC0415 - loaded with the commands
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse printed --help (0) or a usage error (2): main returns, never exits
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return int(args.func(args))
    except (HarnessError, ConfigError) as exc:
        _say(str(exc))
        return getattr(exc, "exit_code", 2)
    except KeyboardInterrupt:
        print("soundcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of the output went away (``soundcheck devices | head -1``): not a bug, and
        # nothing more to say to it. Standard output is pointed at /dev/null so that the flush at
        # exit does not raise again; 141 is what a shell shows for a writer ended by SIGPIPE
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as exc:
        if exc.filename is None:
            return _internal(exc)
        where = f"{exc.filename}" + (f" -> {exc.filename2}" if exc.filename2 else "")
        _say(f"{where}: {exc.strerror or exc}; check the path (a file where a folder is expected, "
             "a full disk or missing permission)")
        return 2
    except ValueError as exc:
        if "null byte" in str(exc):  # os.* refuse a path with a NUL byte in it: the user's input
            _say("a file or folder name given on the command line contains a NUL byte; give a real path")
            return 2
        return _internal(exc)
    except Exception as exc:  # noqa: BLE001 - a bug in soundcheck: visible, never a pass
        return _internal(exc)


def _internal(exc: BaseException) -> int:
    log = crash_log(exc)
    _say(f"internal error (a bug in soundcheck, not in your input): {type(exc).__name__}: "
         f"{str(exc)[:300]}" + (f"; traceback in {log}" if log else ""))
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
