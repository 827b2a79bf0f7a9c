"""``soundcheck`` called in-process with its output captured: what a user's terminal would show."""

from __future__ import annotations

import contextlib
import io

from harness.cli import main


def cli(*argv: object) -> tuple[int, str, str]:
    """Run ``soundcheck ARGV...``; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()
