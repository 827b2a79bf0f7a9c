"""Search seeded random small series for an input where a ``harness.leaks._one_step`` mutant answers
otherwise than the original (20 000 series; prints the first one found for each mutant number, or None).

    PYTHONPATH=$PWD nice -n 19 .venv/bin/python bench/mutation_helpers/search.py SEED NUMBER ...
"""
import ast, sys, importlib, importlib.util
import numpy as np
from pathlib import Path
spec = importlib.util.spec_from_file_location(
    "mip", Path(__file__).resolve().parents[2] / "scripts" / "mutate_in_process.py")
mip = importlib.util.module_from_spec(spec); spec.loader.exec_module(mip)
from mutmut.mutation.file_mutation import mutate_file_contents
import harness.leaks as L
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from leak_equal_rises_search import small_series  # noqa: E402 - bench/ is no package
src = Path(L.__file__).read_text()
chunks = mip._chunks(ast.parse(src), src.splitlines(keepends=True), ["_one_step"])
m = mutate_file_contents("part.py", "\n\n".join(chunks) + "\n")
code = m.mutated_code if hasattr(m, "mutated_code") else m.code
ns = dict(vars(L)); exec(compile(code, "part.py", "exec"), ns)
rng = np.random.default_rng(int(sys.argv[1]))
nums = [int(x) for x in sys.argv[2:]]
found = {n: None for n in nums}
import warnings; warnings.simplefilter("ignore")
for trial in range(20000):
    t, y, g, thr, need = small_series(rng)
    a = L._one_step(t, y, g, thr, need)
    for k in nums:
        if found[k] is None:
            try:
                b = ns[f"x__one_step__mutmut_{k}"](t, y, g, thr, need)
            except Exception as exc:
                b = repr(exc)
            if b != a:
                found[k] = (t.tolist(), y.tolist(), g.tolist(), thr, need, a, b)
print({k: v for k, v in found.items()})
