"""How the rig's check of JACK2's metadata database answers on this machine, as loaded as it is now.

usage: python bench/jackdb_check.py ROUNDS [--wedged]

Makes a metadata database as JACK2 makes it in a temporary folder (``harness.rig._jackdb open``;
with ``--wedged`` then wedged, ``_jackdb wedge``) and runs ``check_metadata_db`` on it ROUNDS
times, printing each verdict with its seconds and then the counts. A healthy database must read
``opens`` every time however loaded the machine (the rig would otherwise remove a database that
works); a wedged one ``wedged`` every time. Needs libdb 5.3 (JACK2's), not a JACK server.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.rig import _jackdb
from harness.rig.metadata_db import check_metadata_db


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/jackdb_check.py", description=__doc__.splitlines()[0])
    parser.add_argument("rounds", type=int, help="how many checks (1..1000)")
    parser.add_argument("--wedged", action="store_true", help="wedge the database first")
    args = parser.parse_args(argv)
    if not 1 <= args.rounds <= 1000:
        parser.error(f"rounds: {args.rounds} is not a count of checks; give a whole number 1..1000")
    return args


def _make(folder: Path, wedged: bool) -> None:
    for command in ("open", "wedge") if wedged else ("open",):
        subprocess.run([sys.executable, "-P", _jackdb.__file__, command, str(folder)], timeout=60,
                       stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    with tempfile.TemporaryDirectory(prefix="jackdb-check-") as tmp:
        folder = Path(tmp) / f"jack_db-{os.getuid()}"
        folder.mkdir()
        _make(folder, args.wedged)
        counts: collections.Counter[str] = collections.Counter()
        for i in range(args.rounds):
            t0 = time.monotonic()
            check = check_metadata_db(folder)
            counts[check.verdict] += 1
            print(f"check {i + 1}: {check.verdict} in {time.monotonic() - t0:.2f} s ({check.detail})", flush=True)
    print(f"{'wedged' if args.wedged else 'healthy'} database, {args.rounds} checks: "
          + ", ".join(f"{verdict} {n}" for verdict, n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
