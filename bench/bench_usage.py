"""The bench scripts' command lines: bad input is a message naming what to give and exit 2, never
argparse's own exit or a traceback, so a script's ``main`` catches ``Usage`` once, for its own
checks and the parser's alike."""

from __future__ import annotations

import argparse


class Usage(Exception):
    """A command line the script refuses: its message says what to give instead."""


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors (an unknown option, a missing one) raise ``Usage``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise Usage(message)
