"""Mutant 83 of ``reference_compare._splits_refitted`` (the half of the fitted rows taken of ``t1 + t0``) against
the original on the range of ``test_reference_hidden_step_parts.py``'s "just over half" case: how many splits each
reads (the test asks none). The mutant refits 1 801 splits: ~2 minutes at load 28.

    PYTHONPATH=$PWD nice -n 5 .venv/bin/python bench/mutation_helpers/splits_refitted_half_rows.py
"""
import ast, sys, importlib.util
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "harness"))
spec = importlib.util.spec_from_file_location("mip", Path(__file__).resolve().parents[2] / "scripts" / "mutate_in_process.py")
mip = importlib.util.module_from_spec(spec); spec.loader.exec_module(mip)
from mutmut.mutation.file_mutation import mutate_file_contents
import harness.reference_compare as R
from test_reference_hidden_step_parts import _sweep_lines, BLOCK
src = Path(R.__file__).read_text()
chunks = mip._chunks(ast.parse(src), src.splitlines(keepends=True), ["_splits_refitted"])
m = mutate_file_contents("part.py", "\n\n".join(chunks) + "\n")
ns = dict(vars(R)); exec(compile(m.mutated_code if hasattr(m, "mutated_code") else m.code, "part.py", "exec"), ns)
pa, pb, r = _sweep_lines(4 * BLOCK, 2 * BLOCK)
print("original", len(R._splits_refitted(pa, pb, r, R._JUDGE_CUTOFF, (), 1000, 2800)))
print("mutant 83", len(ns["x__splits_refitted__mutmut_83"](pa, pb, r, R._JUDGE_CUTOFF, (), 1000, 2800)))
