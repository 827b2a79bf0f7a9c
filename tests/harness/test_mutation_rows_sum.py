"""`bench/mutation_rows_sum.py`: MUTATION.md's score table read into rows, the latest whole row
of each module chosen, the `make mutation` estimate summed from them, and a malformed table
refused with exit 2 naming the line and the cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness.bench_scripts import load_bench_script

rows_sum = load_bench_script("mutation_rows_sum.py", "_mutation_rows_sum_under_test")

HEAD = """# Mutation scores

## Scores

| date | commit | module | killed | survived | timed out | total | killed % | minutes | note |
|---|---|---|---|---|---|---|---|---|---|
"""

#: Rows in the shapes the real table holds (notes shortened from real rows).
ROWS = [
    # 7: a before row and its whole run
    "| 2026-12-01 | b09a555 | lifecycle | 37 | 6 | 0 | 43 | 86.0 % | 0.3 | before: the tests as they were |",
    "| 2026-12-05 | af14dbb+ | lifecycle | 72 | 1 | 0 | 73 | 98.6 % | 1.9 | re-run, same command (0.3 CPU minutes; printed `af14dbb+dirty`) |",
    # 9: survivors re-run by name: not the module's minutes
    "| 2026-12-05 | a750944 | lifecycle | 73 | 0 | 0 | 73 | 100.0 % | 0.1 | after a750944: the survivor re-run by name the same way, 18:54 UTC |",
    # 10: a whole run whose note also tells of a re-run by name
    "| 2026-12-04 | 8cc135f | resources | 263 | 1 | 0 | 264 | 99.6 % | 45.1 | re-run (2.0 CPU minutes printed), the first whole run since 3536810. `register`'s 6 mutants, run first by name in a copy |",
    # 11: a stopped run: bounds, no percentage, minutes in parentheses; the module grew
    "| 2026-12-04 | 53bf9d2 | resources | ≥ 88 | - | 2 | 528 | - | (18.5, cut) | PARTIAL: stopped after 90 of 264 mutants |",
    # 12: PARTIAL although it prints a percentage
    "| 2026-12-03 | 9fdc57d | devices/portaudio | 1012 | 129 | 15 | 1212 | 83.5 % | 3.3 | PARTIAL after (below 90 %): the survivors re-run |",
    # 13: a whole run whose CPU minutes are worded the other way, a pipe written inside a cell
    "| 2026-12-03 | da31ef5 | devices/portaudio | 827 | 293 | 17 | 1212 | 68.2 % | 43.6 | the first WHOLE run (6.3 minutes of CPU); the `\\|block\\|` scratch |",
    # 14: a score made of two runs
    "| 2026-12-05 | 641cac0 | harness/verdict | 470 | 7 | 0 | 477 | 98.5 % | 1.8 + 3.1 | after the tables, in two parts |",
    # 15: no CPU minutes in its note
    "| 2026-12-03 | a99f07b | blocks | 4 | 0 | 0 | 4 | 100.0 % | 0.2 | first run; no survivor |",
]
TEXT = HEAD + "\n".join(ROWS) + "\n\nProse after the table | with a pipe.\n\n## How long\n"


def _rows() -> list:
    return rows_sum.parse_table(TEXT.splitlines(), "M.md")


def test_every_cell_of_every_row_shape_is_read() -> None:
    rows = _rows()
    assert [r.line for r in rows] == list(range(7, 16))
    stopped = rows[4]
    assert stopped.model_dump() == {
        "line": 11, "date": rows_sum.dt.date(2026, 12, 4), "commit": "53bf9d2", "module": "resources",
        "killed": {"value": 88, "at_least": True}, "survived": {"value": None, "at_least": False},
        "timed_out": {"value": 2, "at_least": False}, "total": 528, "killed_percent": None,
        "minutes": {"wall": 18.5, "stopped": True},
        "note": "PARTIAL: stopped after 90 of 264 mutants"}
    assert rows[1].commit == "af14dbb+" and rows[1].killed_percent == 98.6
    assert rows[6].note == "the first WHOLE run (6.3 minutes of CPU); the `|block|` scratch"
    assert rows[7].minutes.wall == pytest.approx(4.9) and not rows[7].minutes.stopped
    assert [r.cpu_minutes for r in rows] == [None, 0.3, None, 2.0, None, None, 6.3, None, None]


def test_a_row_is_whole_only_when_it_ran_every_mutant_in_one_run() -> None:
    assert [r.whole for r in _rows()] == [True, True, False, True, False, False, True, True, True]


def test_the_estimate_takes_each_module_s_latest_whole_row_scaled_to_its_mutants_today() -> None:
    est = rows_sum.estimate(_rows(), ["lifecycle", "resources", "devices/portaudio", "blocks", "absent"])
    assert [(e.module, e.row.line if e.row else None, e.mutants_now) for e in est] == [
        ("lifecycle", 8, 73), ("resources", 10, 528), ("devices/portaudio", 13, 1212),
        ("blocks", 15, 4), ("absent", None, None)]
    # resources: 2.0 CPU minutes for 264 mutants, twice as many now
    assert est[1].scaled_cpu == pytest.approx(4.0)
    assert est[3].scaled_cpu is None
    text = rows_sum.report(est)
    assert text.splitlines()[-4:] == [
        "4 of 5 modules with a whole row; wall minutes (each at its row's load): 90.8; "
        "CPU minutes: 8.6 (3 rows give them); scaled to today's mutant counts: 10.6",
        "make mutation (--max-children 2) on an idle 2-core machine with both cores busy: "
        "about 5.3 wall minutes (the scaled CPU minutes / 2)",
        "no whole row: absent",
        "no CPU minutes in the row's note: blocks",
    ]


def test_the_repository_s_table_reads_and_every_nightly_module_has_a_whole_row() -> None:
    rows = rows_sum.parse_table((rows_sum.ROOT / "MUTATION.md").read_text().splitlines())
    assert len(rows) > 100
    modules = rows_sum.all_modules()
    assert "system" in modules and "held" in modules
    assert all(e.row is not None for e in rows_sum.estimate(rows, modules))


@pytest.mark.parametrize(("row", "message"), [
    ("| 2026-12-01 | b09a555 | lifecycle | 37 | 6 | 0 | 43 | 86.0 % | 0.3 |",
     "M.md:8: a score row has 9 cells, not 10; write a pipe inside a cell as \\|"),
    ("| 2026-12-01 | b09a555 | lifecycle | 37 | 6 | 0 | 43 | 86.0 % | 0.3 | a | b |",
     "M.md:8: a score row has 11 cells, not 10; write a pipe inside a cell as \\|"),
    ("| 2026-12-01 | b09a555 | lifecycle | about 37 | 6 | 0 | 43 | 86.0 % | 0.3 | n |",
     "M.md:8: the 'killed' cell: 'about 37' is not a count (N, ≥ N or -); fix the row"),
    ("| 2026-12-01 | b09a555 | lifecycle | 37 | 6 | 0 | 43 | 86.0 % | 0.3 min | n |",
     "M.md:8: the 'minutes' cell: '0.3 min' is not minutes (12.3, 1.8 + 3.1, (12.3, cut) or "
     "(12.3, partial)); fix the row"),
    ("| 2026-12-01 | b09a555 | lifecycle | 37 | 6 | 0 | 43 | 86 | 0.3 | n |",
     "M.md:8: the 'killed %' cell: '86' is not a percentage (97.5 %, ≥ 65.2 % or -); fix the row"),
    ("| 2026-12-01 | b09a555 | lifecycle | 37 | 6 | 0 | ~43 | 86.0 % | 0.3 | n |",
     "M.md:8: the 'total' cell: '~43' is not a mutant count (digits only); fix the row"),
    ("| 2026-13-01 | b09a555 | lifecycle | 37 | 6 | 0 | 43 | 86.0 % | 0.3 | n |",
     "M.md:8: the 'date' cell: Input should be a valid date or datetime, month value is outside "
     "expected range of 1-12; fix the row"),
    ("| 2026-12-01 | main | lifecycle | 37 | 6 | 0 | 43 | 86.0 % | 0.3 | n |",
     "M.md:8: the 'commit' cell: String should match pattern '^[0-9a-f]{7,40}\\+?$'; fix the row"),
])
def test_a_malformed_row_is_refused_with_exit_2_naming_its_line_and_cell(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, message: str) -> None:
    good = ROWS[0]
    path = tmp_path / "M.md"
    path.write_text(HEAD + good + "\n" + row + "\n")
    assert rows_sum.main(["--file", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"mutation_rows_sum: {path}:8:{message.removeprefix('M.md:8:')}\n"


@pytest.mark.parametrize(("text", "message"), [
    ("# nothing\n", "{path}: no '## Scores' heading; the score table belongs under it"),
    ("## Scores\n\nprose\n\n## Next\n| a |\n",
     "{path}:1: no table under '## Scores'; it must start with the header | date | commit | "
     "module | killed | survived | timed out | total | killed % | minutes | note |"),
    ("## Scores\n\n| date | commit | module |\n|---|---|---|\n",
     "{path}:3: the score table's header is ['date', 'commit', 'module']; it must be | date | "
     "commit | module | killed | survived | timed out | total | killed % | minutes | note |"),
])
def test_a_file_without_the_table_is_refused_with_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str) -> None:
    path = tmp_path / "M.md"
    path.write_text(text)
    assert rows_sum.main(["--file", str(path)]) == 2
    assert capsys.readouterr().err == f"mutation_rows_sum: {message.format(path=path)}\n"


def test_a_missing_file_is_refused_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "absent.md"
    assert rows_sum.main(["--file", str(path)]) == 2
    assert capsys.readouterr().err == (f"mutation_rows_sum: cannot read {path}: No such file or "
                                       "directory; pass --file MUTATION.md\n")
