"""Every call ``scripts/mutate_in_process.py`` builds of the named test files, run once unmutated:
what its first pass does, per file, without generating a mutant (a call that raises here stops
the script before any mutant is judged).

    PYTHONPATH=$PWD:$PWD/scripts nice -n 10 .venv/bin/python bench/mutate_in_process_calls.py TEST_FILE ...

Prints each failing call and, per file, its calls and how many failed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))  # the script's own folder
import mutate_in_process  # noqa: E402 - scripts/ is no package


def main() -> int:
    failed_any = 0
    missing = [p for p in sys.argv[1:] if not Path(p).is_file()]
    if missing or len(sys.argv) < 2:
        print(f"mutate_in_process_calls: {missing[0] + ': no such test file' if missing else 'give test files'}",
              file=sys.stderr)
        return 2
    for path in sys.argv[1:]:
        calls = mutate_in_process._calls([path])
        failed = 0
        for name, call in calls:
            try:
                call()
            except BaseException as exc:  # noqa: BLE001 - the script counts any raise as a failure
                failed += 1
                print("FAIL", name, type(exc).__name__, str(exc)[:120])
        print(path, len(calls), "calls,", failed, "failed", flush=True)
        failed_any += failed
    return 1 if failed_any else 0


if __name__ == "__main__":
    sys.exit(main())
