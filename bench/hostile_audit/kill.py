import json, os, signal, subprocess, sys, time, shutil
from pathlib import Path
WT = os.environ.get("WT", str(Path(__file__).resolve().parents[2]))  # the tree audited: this checkout unless WT names another
RUNS = Path(os.environ.get("AUDIT_RUNS", "/tmp/hostile-audit"))  # the audit's inputs and outputs, outside any repository
tag = sys.argv[1]; delay = float(sys.argv[2])
base = (RUNS / "items") / f"kill-{tag}"; shutil.rmtree(base, ignore_errors=True); base.mkdir(parents=True)
env = dict(os.environ, PYTHONPATH=WT, SOUNDCHECK_HISTORY_DB=str(base / "h.sqlite"), SOUNDCHECK_LOG_DIR=str(base / "logs"))
CASES = [("run", signal.SIGINT), ("run", signal.SIGTERM), ("soak", signal.SIGINT), ("soak", signal.SIGTERM)]
if len(sys.argv) > 3: CASES = [c for c in CASES if f"{c[0]}-{c[1].name}" in sys.argv[3:]]
for cmd, sig in CASES:
    rd = base / f"{cmd}-{sig.name}"
    argv = [f"{WT}/.venv/bin/python", "-m", "harness.cli", cmd, "--backend", "sim", "--seed", "1"]
    argv += (["--duration", "600", "--report-dir", str(rd)] if cmd == "run" else ["--duration", "8h", "--no-progress", "--run-dir", str(rd)])
    p = subprocess.Popen(["nice", "-n", "19"] + argv, cwd=base, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(delay); p.send_signal(sig) if False else os.kill(p.pid, 0)
    # nice execs python in place, so p.pid is python's pid
    p.send_signal(sig); out, err = p.communicate(timeout=300)
    folder = rd if cmd == "soak" else next(iter(sorted(rd.glob("run-*"))), None)
    info = {}
    if folder and (folder / "summary.json").exists():
        s = json.loads((folder / "summary.json").read_text()); info["summary"] = (s.get("outcome"), s.get("status"), s["verdict"]["headline"][:120])
    if folder and (folder / "report.json").exists():
        r = json.loads((folder / "report.json").read_text()); info["report"] = (r["verdict"]["outcome"], r["run"].get("status"), r["completeness"]["complete"], r["verdict"]["headline"][:120])
    print(json.dumps({"cmd": f"{cmd} {sig.name}", "rc": p.returncode, "tb": "Traceback" in out + err, "out": out.strip().splitlines()[-1:] , "err": err.strip().splitlines()[-2:], **info}), flush=True)
