#!/bin/bash
# usage: bench/rig_kill_series.sh N kill|healthy OUTDIR: N `soundcheck run --backend jack --duration 15 --faults none`
# runs of this tree (seeds 1..N); "kill": the run's own jackd is killed -9 from outside 8 s after it appeared
# Environment (optional): DURATION (default 15) and KILL_AFTER (default 8) seconds; under load the system's
# stream starts ~7 s after jackd, so the defaults leave a few seconds before the kill, and DURATION=25
# KILL_AFTER=14 about 10. RING_PROBE=1 runs each through bench/rig_ring_probe.py (log OUTDIR/ringI.jsonl).
cd "$(dirname "$0")/.."
N=$1; MODE=$2; OUT=$3; mkdir -p $OUT
DURATION=${DURATION:-15}; KILL_AFTER=${KILL_AFTER:-8}
for i in $(seq 1 $N); do
  t0=$(date -u +%T); l0=$(cut -d' ' -f1 /proc/loadavg)
  if [ -n "$RING_PROBE" ]; then entry=(bench/rig_ring_probe.py $OUT/ring$i.jsonl); else entry=(-m harness.cli); fi
  PYTHONPATH=$PWD SOUNDCHECK_HISTORY_DB=$OUT/history.sqlite timeout 400 .venv/bin/python "${entry[@]}" run --backend jack --duration $DURATION --faults none --seed $i --report-dir $OUT/runs > $OUT/run$i.out 2> $OUT/run$i.err &
  rp=$!
  killed=""
  if [ $MODE = kill ]; then
    py=""; for w in $(seq 1 300); do py=$(pgrep -P $rp python | head -1); [ -n "$py" ] && break; sleep 0.2; done
    for w in $(seq 1 300); do j=$(pgrep -P $py jackd | head -1); [ -n "$j" ] && break; sleep 0.2; done
    sleep $KILL_AFTER
    j=$(pgrep -P $py jackd | head -1); if [ -n "$j" ]; then kill -9 $j && killed="killed jackd $j at $(date -u +%T)"; fi
  fi
  wait $rp; rc=$?
  echo "run $i mode $MODE rc $rc $killed start $t0 load $l0 end $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  grep -h "PASS\|FAIL\|INCONCLUSIVE" $OUT/run$i.out | head -3 | cut -c1-600
  tail -2 $OUT/run$i.err | cut -c1-300
done
