"""`make mutation` estimated as a sum of rows of MUTATION.md's score table.

For each module of `scripts/mutation all`, the latest row of the table that scored the whole
module in one run gives the wall and CPU minutes; their sums are the estimate. No mutant is run:
on the shared machine a whole `make mutation` takes longer than a session, so the table's rows are
the only measurements there are. The rows are read from MUTATION.md itself, so a new row changes
the estimate without anyone copying figures by hand.

    python bench/mutation_rows_sum.py [--file MUTATION.md]

A malformed row is refused (exit 2) with its line number, the cell and what the cell must hold.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

ROOT = Path(__file__).resolve().parent.parent

#: The header of the score table, the first table under ``## Scores``.
HEADER = ("date", "commit", "module", "killed", "survived", "timed out", "total", "killed %",
          "minutes", "note")

#: Words of a note that say the row is not a score of every mutant: a run stopped or limited, or
#: a module that could not be scored.
NOT_SCORED = ("PARTIAL", "NOT SCORED")

#: Words of a note that say the row ran every mutant of the module in one run.
WHOLE = ("whole run", "full run")

#: Words of a note that say the row re-ran some mutants (survivors by name, with new tests copied
#: into the run's copy, or one function's mutants): its minutes are not the module's. A note that
#: also says it was a whole run is one (a whole run whose survivors were re-run by name too).
SOME = ("by name", "copied into", "copied in", "--only", "in process", "IN PROCESS")

#: A CPU-minute figure in a note ("0.3 CPU minutes", "15.8 minutes of CPU", "6.3 of CPU").
CPU_MINUTES = re.compile(r"(\d+(?:\.\d+)?) (?:CPU minutes|minutes of CPU|of CPU)")


class Count(BaseModel):
    """A count cell: ``N`` exactly, ``≥ N`` (a lower bound: a stopped run), or ``-`` (unknown)."""

    model_config = ConfigDict(frozen=True)
    value: int | None
    at_least: bool = False

    @classmethod
    def parse(cls, cell: str) -> "Count":
        cell = cell.strip()
        if cell == "-":
            return cls(value=None)
        m = re.fullmatch(r"(≥\s*)?(\d+)", cell)
        if not m:
            raise ValueError(f"{cell!r} is not a count (N, ≥ N or -)")
        return cls(value=int(m[2]), at_least=bool(m[1]))


class Minutes(BaseModel):
    """The minutes cell: ``12.3`` (a run), ``A + B`` (one score made of runs), ``(12.3, cut)``
    or ``(12.3, partial)`` (a run stopped or limited: not the module's time)."""

    model_config = ConfigDict(frozen=True)
    wall: float
    stopped: bool = False

    @classmethod
    def parse(cls, cell: str) -> "Minutes":
        cell = cell.strip()
        m = re.fullmatch(r"\((\d+(?:\.\d+)?), (?:cut|partial)\)", cell)
        if m:
            return cls(wall=float(m[1]), stopped=True)
        parts = [p.strip() for p in cell.split("+")]
        if not all(re.fullmatch(r"\d+(?:\.\d+)?", p) for p in parts):
            raise ValueError(f"{cell!r} is not minutes (12.3, 1.8 + 3.1, (12.3, cut) or "
                             "(12.3, partial))")
        return cls(wall=sum(float(p) for p in parts))


def _percent(cell: str) -> float | None:
    cell = cell.strip()
    if cell == "-":
        return None
    m = re.fullmatch(r"(?:≥\s*)?(\d+(?:\.\d+)?) %", cell)
    if not m:
        raise ValueError(f"{cell!r} is not a percentage (97.5 %, ≥ 65.2 % or -)")
    return float(m[1])


def _total(cell: str) -> int:
    if not re.fullmatch(r"\d+", cell.strip()):
        raise ValueError(f"{cell.strip()!r} is not a mutant count (digits only)")
    return int(cell)


class Row(BaseModel):
    """One row of the score table."""

    model_config = ConfigDict(frozen=True)
    line: int
    date: dt.date
    commit: Annotated[str, Field(pattern=r"^[0-9a-f]{7,40}\+?$")]
    module: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_/]*$")]
    killed: Annotated[Count, BeforeValidator(Count.parse)]
    survived: Annotated[Count, BeforeValidator(Count.parse)]
    timed_out: Annotated[Count, BeforeValidator(Count.parse)]
    total: Annotated[int, BeforeValidator(_total)]
    killed_percent: Annotated[float | None, BeforeValidator(_percent)]
    minutes: Annotated[Minutes, BeforeValidator(Minutes.parse)]
    note: str

    @property
    def cpu_minutes(self) -> float | None:
        """The first CPU-minute figure the note gives (``scripts/mutation`` prints one since
        ba9eee2), else None."""
        m = CPU_MINUTES.search(self.note)
        return float(m[1]) if m else None

    @property
    def whole(self) -> bool:
        """Whether the row scored every mutant of the module in one run: a killed % (every
        mutant has a result), minutes not stopped, not PARTIAL, and a note that either says it
        was a whole run or names no re-run of some mutants."""
        if self.killed_percent is None or self.minutes.stopped:
            return False
        if any(w in self.note for w in NOT_SCORED):
            return False
        return any(w in self.note for w in WHOLE) or not any(w in self.note for w in SOME)


class TableError(ValueError):
    """A score table that cannot be read: the message names the line and the fix."""


_CELL_FIELDS = ("date", "commit", "module", "killed", "survived", "timed_out", "total",
                "killed_percent", "minutes", "note")


def _cells(text: str) -> list[str]:
    """A table line's cells; ``\\|`` is a pipe inside a cell."""
    inner = text.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def parse_table(lines: Sequence[str], source: str = "MUTATION.md") -> list[Row]:
    """The rows of the first table under ``## Scores`` in ``lines``, in table order."""
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip() == "## Scores")
    except StopIteration:
        raise TableError(f"{source}: no '## Scores' heading; the score table belongs under it") from None
    i = start + 1
    while i < len(lines) and not lines[i].startswith("|"):
        if lines[i].startswith("## "):
            break
        i += 1
    if i >= len(lines) or not lines[i].startswith("|"):
        raise TableError(f"{source}:{start + 1}: no table under '## Scores'; it must start with "
                         f"the header | {' | '.join(HEADER)} |")
    header = tuple(_cells(lines[i]))
    if header != HEADER:
        raise TableError(f"{source}:{i + 1}: the score table's header is {list(header)}; it must be "
                         f"| {' | '.join(HEADER)} |")
    rows: list[Row] = []
    for n in range(i + 2, len(lines)):
        text = lines[n]
        if not text.startswith("|"):
            break
        cells = _cells(text)
        if len(cells) != len(HEADER):
            raise TableError(f"{source}:{n + 1}: a score row has {len(cells)} cells, not "
                             f"{len(HEADER)}; write a pipe inside a cell as \\|")
        try:
            rows.append(Row(line=n + 1, **dict(zip(_CELL_FIELDS, cells))))
        except ValidationError as e:
            err = e.errors()[0]
            field = str(err["loc"][0]) if err["loc"] else "?"
            column = HEADER[_CELL_FIELDS.index(field)] if field in _CELL_FIELDS else field
            msg = str(err["msg"]).removeprefix("Value error, ")
            raise TableError(f"{source}:{n + 1}: the '{column}' cell: {msg}; fix the row") from None
    return rows


class ModuleEstimate(BaseModel):
    """One module's share of the estimate: its latest whole row, and the module's mutant count
    today (the latest row's total, of any kind) when it grew since."""

    module: str
    row: Row | None
    mutants_now: int | None

    @property
    def scaled_cpu(self) -> float | None:
        """The row's CPU minutes scaled by the mutants added since it (a mutant's CPU time is
        taken to be the row's mean)."""
        if self.row is None or self.row.cpu_minutes is None:
            return None
        now = self.mutants_now or self.row.total
        return self.row.cpu_minutes * now / self.row.total


def estimate(rows: Iterable[Row], modules: Sequence[str]) -> list[ModuleEstimate]:
    """Each of ``modules``' latest whole row and its mutant count today."""
    rows = list(rows)
    out = []
    for m in modules:
        mine = [r for r in rows if r.module == m]
        whole = [r for r in mine if r.whole]
        out.append(ModuleEstimate(module=m, row=whole[-1] if whole else None,
                                  mutants_now=mine[-1].total if mine else None))
    return out


def all_modules() -> list[str]:
    """The modules of ``scripts/mutation all``, in its order (its SUBSETS), read without running
    the script."""
    import importlib.machinery
    import importlib.util

    path = ROOT / "scripts" / "mutation"
    loader = importlib.machinery.SourceFileLoader("_scripts_mutation", str(path))
    spec = importlib.util.spec_from_loader("_scripts_mutation", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return list(module.SUBSETS)


def report(estimates: Sequence[ModuleEstimate]) -> str:
    """The per-module lines and the sums."""
    lines = [f"{'module':18} {'row':10} {'line':>5} {'wall':>6} {'cpu':>5} {'mutants':>8} {'now':>5}"]
    for e in estimates:
        if e.row is None:
            lines.append(f"{e.module:18} no whole row")
            continue
        cpu = "-" if e.row.cpu_minutes is None else f"{e.row.cpu_minutes:.1f}"
        lines.append(f"{e.module:18} {e.row.commit:10} {e.row.line:5} {e.row.minutes.wall:6.1f} "
                     f"{cpu:>5} {e.row.total:8} {e.mutants_now or e.row.total:5}")
    scored = [e for e in estimates if e.row is not None]
    wall = sum(e.row.minutes.wall for e in scored if e.row is not None)
    with_cpu = [e for e in scored if e.row is not None and e.row.cpu_minutes is not None]
    cpu = sum(e.row.cpu_minutes or 0.0 for e in with_cpu if e.row is not None)
    scaled = sum(e.scaled_cpu or 0.0 for e in with_cpu)
    missing = [e.module for e in estimates if e.row is None]
    no_cpu = [e.module for e in scored if e not in with_cpu]
    lines.append(f"{len(scored)} of {len(estimates)} modules with a whole row; wall minutes (each at "
                 f"its row's load): {wall:.1f}; CPU minutes: {cpu:.1f} ({len(with_cpu)} rows give "
                 f"them); scaled to today's mutant counts: {scaled:.1f}")
    lines.append(f"make mutation (--max-children 2) on an idle 2-core machine with both cores busy: "
                 f"about {scaled / 2:.1f} wall minutes (the scaled CPU minutes / 2)")
    if missing:
        lines.append(f"no whole row: {', '.join(missing)}")
    if no_cpu:
        lines.append(f"no CPU minutes in the row's note: {', '.join(no_cpu)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", type=Path, default=ROOT / "MUTATION.md",
                    help="the table's file (default: MUTATION.md beside bench/)")
    args = ap.parse_args(argv)
    try:
        text = args.file.read_text(encoding="utf-8")
    except OSError as e:
        print(f"mutation_rows_sum: cannot read {args.file}: {e.strerror}; pass --file MUTATION.md",
              file=sys.stderr)
        return 2
    try:
        rows = parse_table(text.splitlines(), str(args.file))
    except TableError as e:
        print(f"mutation_rows_sum: {e}", file=sys.stderr)
        return 2
    print(report(estimate(rows, all_modules())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
