#!/bin/bash
# usage: bench/rig_kill_series.sh N kill|stop|healthy OUTDIR: N `soundcheck run --backend jack --duration 15 --faults none`
# runs of this tree (seeds FIRST_SEED..FIRST_SEED+N-1); "kill": the run's own jackd is killed -9 from outside
# KILL_AFTER seconds after the run's system first reached RUNNING (its history.jsonl says so); "stop": it is
# stopped then instead (SIGSTOP), and continued (SIGCONT) STOP_FOR seconds later. A kill timed from
# jackd's appearance landed, on a loaded machine, before the system's stream had started (its start took
# ~8 s): the start failed, the run closed, and it captured 0 frames (RESULTS: seed 5 of the noon series).
# Environment (optional): DURATION (default 15), KILL_AFTER (default 4), STOP_FOR (default 1) seconds, FIRST_SEED
# (default 1).
# RING_PROBE=1 runs each through bench/rig_ring_probe.py (log OUTDIR/ringI.jsonl).
cd "$(dirname "$0")/.."
N=$1; MODE=$2; OUT=$3
if ! [[ "$N" =~ ^[1-9][0-9]*$ ]] || [[ "$MODE" != kill && "$MODE" != stop && "$MODE" != healthy ]] || [ -z "$OUT" ]; then
  echo "usage: bench/rig_kill_series.sh N kill|stop|healthy OUTDIR (N a count of runs, e.g. 4)" >&2; exit 2
fi
DURATION=${DURATION:-15}; KILL_AFTER=${KILL_AFTER:-4}; STOP_FOR=${STOP_FOR:-1}; FIRST_SEED=${FIRST_SEED:-1}
if ! [[ "$STOP_FOR" =~ ^[0-9]+(\.[0-9]+)?$ ]]; then echo "STOP_FOR=$STOP_FOR: give seconds, e.g. 3" >&2; exit 2; fi
if ! [[ "$FIRST_SEED" =~ ^[0-9]+$ ]]; then echo "FIRST_SEED=$FIRST_SEED: give a whole number, e.g. 94150" >&2; exit 2; fi
mkdir -p $OUT
# running_at SEED: wait (at most 300 s) until the seed's newest run folder's history shows the system RUNNING
running_at() {
  for w in $(seq 1 1500); do
    h=$(ls -td $OUT/runs/*-seed$1 2>/dev/null | head -1)
    [ -n "$h" ] && grep -q '"component": *"system", *"from_state": *"[a-z]*", *"to_state": *"running"' "$h/history.jsonl" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}
for i in $(seq $FIRST_SEED $((FIRST_SEED + N - 1))); do
  t0=$(date -u +%T); l0=$(cut -d' ' -f1 /proc/loadavg)
  if [ -n "$RING_PROBE" ]; then entry=(bench/rig_ring_probe.py $OUT/ring$i.jsonl); else entry=(-m harness.cli); fi
  PYTHONPATH=$PWD SOUNDCHECK_HISTORY_DB=$OUT/history.sqlite timeout 400 .venv/bin/python "${entry[@]}" run --backend jack --duration $DURATION --faults none --seed $i --report-dir $OUT/runs > $OUT/run$i.out 2> $OUT/run$i.err &
  rp=$!
  killed=""
  if [ $MODE != healthy ]; then
    py=""; for w in $(seq 1 300); do py=$(pgrep -P $rp python | head -1); [ -n "$py" ] && break; sleep 0.2; done
    running_at $i || echo "run $i: the system never reached RUNNING in 300 s; killing jackd anyway"
    sleep $KILL_AFTER
    j=$(pgrep -P $py jackd | head -1)
    if [ -n "$j" ] && [ $MODE = kill ]; then kill -9 $j && killed="killed jackd $j at $(date -u +%T)"; fi
    if [ -n "$j" ] && [ $MODE = stop ]; then
      kill -STOP $j && killed="stopped jackd $j at $(date -u +%T.%N | cut -c1-12)"
      sleep $STOP_FOR; kill -CONT $j && killed="$killed, continued at $(date -u +%T.%N | cut -c1-12) ($STOP_FOR s)"
    fi
  fi
  wait $rp; rc=$?
  echo "run $i mode $MODE rc $rc $killed start $t0 load $l0 end $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  grep -h "PASS\|FAIL\|INCONCLUSIVE" $OUT/run$i.out | head -3 | cut -c1-600
  tail -2 $OUT/run$i.err | cut -c1-300
done
