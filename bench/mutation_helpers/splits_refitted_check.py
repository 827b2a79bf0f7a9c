"""How near ``reference_compare._splits_refitted`` reads each split's error to ``_step_error``'s fit
afresh, for the original and for named mutants of it (mutmut's numbers), and for an impulse at each
edge of the fitted rows: the figures behind MUTATION.md's ``_splits_refitted`` entries.

    PYTHONPATH=$PWD nice -n 5 .venv/bin/python bench/mutation_helpers/splits_refitted_check.py 43 50 60 63 68 70

Prints, with and without an impulse, the largest relative difference over the 25 splits about a
1-frame drop in the sweep of ``tests/harness/test_reference_hidden_step_parts.py`` for the original
and each mutant named; then, for an impulse at rows ``t0 - 1`` .. ``t1 + 1`` of the fitted rows,
the original's largest difference over 5 splits. Deterministic (a seeded sweep)."""
import ast
import importlib.util
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "harness"))
spec = importlib.util.spec_from_file_location("mip", ROOT / "scripts" / "mutate_in_process.py")
mip = importlib.util.module_from_spec(spec); spec.loader.exec_module(mip)
from mutmut.mutation.file_mutation import mutate_file_contents  # noqa: E402
import harness.reference_compare as R  # noqa: E402
from test_reference_hidden_step_parts import BLOCK, _sweep_lines  # noqa: E402


def worst(f, pa, pb, r, imp, lo, hi) -> float:
    got = f(pa, pb, r, R._JUDGE_CUTOFF, imp, lo, hi)
    return max(abs(got[sp] / R._step_error(np.concatenate((pa[:sp], pb[sp:])), r, R._JUDGE_CUTOFF, imp)[0] - 1)
               for sp in range(lo, hi + 1))


src = (ROOT / "harness" / "reference_compare.py").read_text()
chunks = mip._chunks(ast.parse(src), src.splitlines(keepends=True), ["_splits_refitted"])
m = mutate_file_contents("part.py", "\n\n".join(chunks) + "\n")
ns = dict(vars(R)); exec(compile(m.mutated_code if hasattr(m, "mutated_code") else m.code, "part.py", "exec"), ns)
unknown = [name for name in sys.argv[1:] if f"x__splits_refitted__mutmut_{name}" not in ns]
if unknown:
    print(f"splits_refitted_check.py: no mutant {', '.join(unknown)} of _splits_refitted: give mutmut's numbers "
          f"of it (1-{sum(k.startswith('x__splits_refitted__mutmut_') for k in ns)})", file=sys.stderr)
    sys.exit(2)
split = 2 * BLOCK + 37
pa, pb, r = _sweep_lines(4 * BLOCK, split)
for imp in ((), (2 * BLOCK,)):
    for name in ["original"] + sys.argv[1:]:
        f = R._splits_refitted if name == "original" else ns[f"x__splits_refitted__mutmut_{name}"]
        print(f"impulses {imp}: {name}: {worst(f, pa, pb, r, imp, split - 12, split + 12):.3g}")
judge = R._judge_filter(R._JUDGE_CUTOFF)
normal = R._path_normal(np.concatenate((pa[:split], pb[split:])), r, judge, judge.size // 2 + R.FIR_TAPS)
for row, said in ((normal.t0 - 1, "t0 - 1"), (normal.t0, "t0"), (normal.t0 + 1, "t0 + 1"), (normal.t1 - 1, "t1 - 1"),
                  (normal.t1, "t1"), (normal.t1 + 1, "t1 + 1")):
    imp = (row + R.FIR_TAPS // 2,)
    print(f"impulse at row {said} ({row}): original: {worst(R._splits_refitted, pa, pb, r, imp, split - 2, split + 2):.3g}")
