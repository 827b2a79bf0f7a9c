#!/bin/bash
# dsp_kernels.warm mutants 14, 30, 54 (a float64 block where the chain passes float32), each written into
# a git-archive copy of HEAD, and tests/sut/test_dsp_kernels_warm.py run there with the JIT on (cold numba
# cache): each must fail. Run from the repository: nice -n 10 bash bench/mutation_helpers/warm_check.sh
# warm mutants 14, 30, 54 written by hand into git-archive copies of this branch; the warm test run in each
cd "$(git rev-parse --show-toplevel)"; ROOT=$PWD
for m in 14 30 54; do
  d=${WARM_DIR:-/tmp/warm_mutants}/m$m; mkdir -p $d; git archive HEAD | tar -x -C $d
  cp tests/sut/test_dsp_kernels_warm.py $d/tests/sut/
  case $m in
    14) python3 - "$d" <<'PY'
import sys, pathlib
p = pathlib.Path(sys.argv[1]) / "system_under_test/dsp_kernels.py"; s = p.read_text()
old = "biquad_block(np.zeros((4, 2), dtype=dtype), np.zeros((2, 2)), *coefs)"; assert old in s
p.write_text(s.replace(old, "biquad_block(np.zeros((4, 2), dtype=None), np.zeros((2, 2)), *coefs)"))
PY
    ;;
    30) python3 - "$d" <<'PY'
import sys, pathlib
p = pathlib.Path(sys.argv[1]) / "system_under_test/dsp_kernels.py"; s = p.read_text()
old = "gain_biquad_peak(np.zeros((4, 2), dtype=np.float32)"; assert old in s
p.write_text(s.replace(old, "gain_biquad_peak(np.zeros((4, 2), dtype=None)"))
PY
    ;;
    54) python3 - "$d" <<'PY'
import sys, pathlib
p = pathlib.Path(sys.argv[1]) / "system_under_test/dsp_kernels.py"; s = p.read_text()
old = "gain_biquad_peaks(np.zeros((8, 2), dtype=np.float32)"; assert old in s
p.write_text(s.replace(old, "gain_biquad_peaks(np.zeros((8, 2), dtype=None)"))
PY
    ;;
  esac
  (cd $d && git -C $ROOT diff --no-index --stat $ROOT/system_under_test/dsp_kernels.py $d/system_under_test/dsp_kernels.py | tail -1
   echo "warm $m: $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
   PYTHONPATH=$d $ROOT/.venv/bin/python -m pytest -q -p no:cacheprovider tests/sut/test_dsp_kernels_warm.py 2>&1 | tail -1)
done
