set -e
# before: a source copy of the older tree in $RUNS/main-src; after: this checkout
HERE=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${AUDIT_RUNS:-/tmp/hostile-audit}
cd "$RUNS"
PY=$HERE/.venv/bin/python
clean() { (cd audit/in && rm -rf .soundcheck.lock figures history.jsonl journal.jsonl report.html report.json summary.json timeline.html report-error.txt); }
for side in before after; do
  if [ $side = before ]; then W=$RUNS/main-src; else W=$HERE; fi
  clean
  WT=$W nice -n 19 $PY "$HERE/bench/hostile_audit/audit.py" $side-late1 "resume a dir w/o journal" "report dir of junk" "swarm --faults" > audit/$side-late1.jsonl
  WT=$W nice -n 19 $PY "$HERE/bench/hostile_audit/audit.py" $side-late2 "run-dir existing nonempty" > audit/$side-late2.jsonl
  ls -A audit/in | grep -E "journal|report.html|summary|history.jsonl" > audit/$side-late2.infiles || true
done
clean
