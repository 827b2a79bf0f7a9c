#!/bin/bash
# usage: bench/rig_kill_series.sh N kill|stop|healthy OUTDIR: N `soundcheck run --backend jack --duration 15 --faults none`
# runs of this tree (seeds FIRST_SEED..FIRST_SEED+N-1); "kill": the run's own jackd is killed -9 from outside
# KILL_AFTER seconds after the run's system first reached RUNNING (its history.jsonl says so); "stop": it is
# stopped then instead (SIGSTOP), and continued (SIGCONT) STOP_FOR seconds later. A kill timed from
# jackd's appearance landed, on a loaded machine, before the system's stream had started (its start took
# ~8 s): the start failed, the run closed, and it captured 0 frames (RESULTS: seed 5 of the noon series).
# "startstop": jackd is stopped as soon as the run's history shows the system STARTING (while its stream opens),
# and continued STOP_FOR seconds later.
# UNOWNED=1: each run plays on a server it does not own: `soundcheck loopback up --server-name rig-unowned-SEED`
# (state in OUTDIR/loopbackSEED.json) before it, `run --backend portaudio --device system` with
# JACK_DEFAULT_SERVER naming it, and `loopback down` after it; the kill or stop hits that server.
# Environment (optional): DURATION (default 15), KILL_AFTER (default 4), STOP_FOR (default 1) seconds, FIRST_SEED
# (default 1).
# RING_PROBE=1 runs each through bench/rig_ring_probe.py (log OUTDIR/ringI.jsonl).
cd "$(dirname "$0")/.."
N=$1; MODE=$2; OUT=$3
if ! [[ "$N" =~ ^[1-9][0-9]*$ ]] || [[ "$MODE" != kill && "$MODE" != stop && "$MODE" != startstop && "$MODE" != healthy ]] || [ -z "$OUT" ]; then
  echo "usage: bench/rig_kill_series.sh N kill|stop|startstop|healthy OUTDIR (N a count of runs, e.g. 4)" >&2; exit 2
fi
if [ -n "$UNOWNED" ] && [ "$UNOWNED" != 1 ]; then echo "UNOWNED=$UNOWNED: give 1 or leave it unset" >&2; exit 2; fi
DURATION=${DURATION:-15}; KILL_AFTER=${KILL_AFTER:-4}; STOP_FOR=${STOP_FOR:-1}; FIRST_SEED=${FIRST_SEED:-1}
if ! [[ "$STOP_FOR" =~ ^[0-9]+(\.[0-9]+)?$ ]]; then echo "STOP_FOR=$STOP_FOR: give seconds, e.g. 3" >&2; exit 2; fi
if ! [[ "$FIRST_SEED" =~ ^[0-9]+$ ]]; then echo "FIRST_SEED=$FIRST_SEED: give a whole number, e.g. 94150" >&2; exit 2; fi
mkdir -p $OUT
# state_at SEED STATE PAUSE: wait (at most 300 s, a look every PAUSE s) until the seed's newest run folder's history
# shows the system entering STATE
state_at() {
  for w in $(seq 1 $(echo "300 / $3" | bc)); do
    h=$(ls -td $OUT/runs/*-seed$1 2>/dev/null | head -1)
    [ -n "$h" ] && grep -q '"component": *"system", *"from_state": *"[a-z]*", *"to_state": *"'$2'"' "$h/history.jsonl" 2>/dev/null && return 0
    sleep $3
  done
  return 1
}
for i in $(seq $FIRST_SEED $((FIRST_SEED + N - 1))); do
  t0=$(date -u +%T); l0=$(cut -d' ' -f1 /proc/loadavg)
  if [ -n "$RING_PROBE" ]; then entry=(bench/rig_ring_probe.py $OUT/ring$i.jsonl); else entry=(-m harness.cli); fi
  backend=(--backend jack); env=()
  if [ -n "$UNOWNED" ]; then
    state=$OUT/loopback$i.json
    PYTHONPATH=$PWD .venv/bin/python -m harness.cli loopback --state $state up --server-name rig-unowned-$i > $OUT/up$i.out 2>&1 \
      || { echo "run $i: loopback up failed (see $OUT/up$i.out)"; continue; }
    backend=(--backend portaudio --device system); env=(JACK_DEFAULT_SERVER=rig-unowned-$i)
  fi
  env "${env[@]}" PYTHONPATH=$PWD SOUNDCHECK_HISTORY_DB=$OUT/history.sqlite timeout 400 .venv/bin/python "${entry[@]}" run "${backend[@]}" --duration $DURATION --faults none --seed $i --report-dir $OUT/runs > $OUT/run$i.out 2> $OUT/run$i.err &
  rp=$!
  killed=""
  if [ $MODE != healthy ]; then
    py=""; for w in $(seq 1 300); do py=$(pgrep -P $rp python | head -1); [ -n "$py" ] && break; sleep 0.2; done
    if [ $MODE = startstop ]; then
      state_at $i starting 0.02 || echo "run $i: the system never reached STARTING in 300 s; stopping jackd anyway"
    else
      state_at $i running 0.2 || echo "run $i: the system never reached RUNNING in 300 s; killing jackd anyway"
      sleep $KILL_AFTER
    fi
    if [ -n "$UNOWNED" ]; then j=$(.venv/bin/python -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' $state); else j=$(pgrep -P $py jackd | head -1); fi
    if [ -n "$j" ] && [ $MODE = kill ]; then kill -9 $j && killed="killed jackd $j at $(date -u +%T)"; fi
    if [ -n "$j" ] && [[ $MODE = stop || $MODE = startstop ]]; then
      kill -STOP $j && killed="stopped jackd $j at $(date -u +%T.%N | cut -c1-12)"
      sleep $STOP_FOR; kill -CONT $j && killed="$killed, continued at $(date -u +%T.%N | cut -c1-12) ($STOP_FOR s)"
    fi
  fi
  wait $rp; rc=$?
  if [ -n "$UNOWNED" ]; then PYTHONPATH=$PWD .venv/bin/python -m harness.cli loopback --state $state down >> $OUT/up$i.out 2>&1; fi
  echo "run $i mode $MODE rc $rc $killed start $t0 load $l0 end $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  grep -h "PASS\|FAIL\|INCONCLUSIVE" $OUT/run$i.out | head -3 | cut -c1-600
  tail -2 $OUT/run$i.err | cut -c1-300
done
