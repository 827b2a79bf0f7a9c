#!/bin/bash
# usage: bench/rig_kill_series.sh N kill|healthy OUTDIR: N `soundcheck run --backend jack --duration 15 --faults none`
# runs of this tree (seeds 1..N); "kill": the run's own jackd is killed -9 from outside 8 s after it appeared
cd "$(dirname "$0")/.."
N=$1; MODE=$2; OUT=$3; mkdir -p $OUT
for i in $(seq 1 $N); do
  t0=$(date -u +%T); l0=$(cut -d' ' -f1 /proc/loadavg)
  PYTHONPATH=$PWD SOUNDCHECK_HISTORY_DB=$OUT/history.sqlite timeout 400 .venv/bin/python -m harness.cli run --backend jack --duration 15 --faults none --seed $i --report-dir $OUT/runs > $OUT/run$i.out 2> $OUT/run$i.err &
  rp=$!
  killed=""
  if [ $MODE = kill ]; then
    py=""; for w in $(seq 1 300); do py=$(pgrep -P $rp python | head -1); [ -n "$py" ] && break; sleep 0.2; done
    for w in $(seq 1 300); do j=$(pgrep -P $py jackd | head -1); [ -n "$j" ] && break; sleep 0.2; done
    sleep 8
    j=$(pgrep -P $py jackd | head -1); if [ -n "$j" ]; then kill -9 $j && killed="killed jackd $j at $(date -u +%T)"; fi
  fi
  wait $rp; rc=$?
  echo "run $i mode $MODE rc $rc $killed start $t0 load $l0 end $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  grep -h "PASS\|FAIL\|INCONCLUSIVE" $OUT/run$i.out | head -3 | cut -c1-600
  tail -2 $OUT/run$i.err | cut -c1-300
done
