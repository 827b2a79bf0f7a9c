"""The ``soundcheck`` command line.

Exit status everywhere: 0 all held, 1 something failed (a verdict, not a crash), 2 a usage,
input-file or configuration error, printed as one clear message without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from system_under_test.errors import ConfigError

from . import commands
from .errors import HarnessError


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error already; keep its message short and ours."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"soundcheck: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="soundcheck",
        description="Reliability test harness and fault-injection suite for real-time audio.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (HarnessError, ConfigError) as exc:
        print(f"soundcheck: error: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 2)
    except KeyboardInterrupt:
        print("soundcheck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
