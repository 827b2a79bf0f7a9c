#!/bin/bash
# usage: bench/rig_soak_kill.sh NAME SEED healthy|kill [KILL_AFTER_S] [OUTROOT]: one 10-minute real-device soak
# (`soundcheck soak --backend jack --duration 10m --faults none`) of this tree into OUTROOT/NAME (default
# /tmp/rig-soaks); "kill": the soak's own jackd is killed -9 from outside KILL_AFTER_S (default 300) seconds after
# it appeared, as a crash in the field would be. One line per soak (exit code, kill time, UTC and load at both
# ends) is appended to OUTROOT/soaks.log. Several may run side by side: each rig takes a free server name.
cd "$(dirname "$0")/.."
NAME=$1; SEED=$2; MODE=$3; KA=${4:-300}; ROOT=${5:-/tmp/rig-soaks}; OUT=$ROOT/$NAME; mkdir -p $ROOT
t0=$(date -u +%T); l0=$(cut -d' ' -f1 /proc/loadavg)
PYTHONPATH=$PWD SOUNDCHECK_HISTORY_DB=$ROOT/history.sqlite timeout 1200 .venv/bin/python -m harness.cli soak --backend jack --duration 10m --faults none --seed $SEED --run-dir $OUT --no-progress > $ROOT/$NAME.out 2>&1 &
rp=$!
killed=""
if [ "$MODE" = kill ]; then
  py=""; for w in $(seq 1 300); do py=$(pgrep -P $rp python | head -1); [ -n "$py" ] && break; sleep 0.2; done
  for w in $(seq 1 600); do j=$(pgrep -P $py jackd | head -1); [ -n "$j" ] && break; sleep 0.2; done
  sleep $KA
  j=$(pgrep -P $py jackd | head -1); if [ -n "$j" ]; then kill -9 $j && killed="killed jackd $j at $(date -u +%T.%N) load $(cut -d' ' -f1 /proc/loadavg)"; fi
fi
wait $rp; rc=$?
echo "$NAME seed $SEED mode $MODE rc $rc $killed start $t0 load $l0 end $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a $ROOT/soaks.log
