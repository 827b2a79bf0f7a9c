"""Run each hostile-input case; print one JSON line per case."""
import json, os, subprocess, sys, shutil, time
from pathlib import Path
WT = os.environ.get("WT", str(Path(__file__).resolve().parents[2]))  # the tree audited: this checkout unless WT names another
RUNS = Path(os.environ.get("AUDIT_RUNS", "/tmp/hostile-audit"))  # the audit's inputs and outputs, outside any repository
A = RUNS / "audit"; IN = A / "in"
tag = sys.argv[1]; only = set(sys.argv[2:])
OUT = A / tag; shutil.rmtree(OUT, ignore_errors=True); OUT.mkdir(parents=True)
R = "run --backend sim --duration 2s --seed 1 --report-dir {rd}"
S = "soak --backend sim --duration 2s --seed 1 --no-progress --run-dir {rd}/soak"
cases = []
def c(label, args): cases.append((label, args))
for f in ["empty.toml", "binary.toml", "adir.toml", "unreadable.toml", "notoml.toml", "latin1.toml", "prob_str.toml",
          "prob_nan.toml", "prob_inf.toml", "prob_neg.toml", "prob_huge.toml", "prob_gt1.toml", "prob_zero_all.toml",
          "prob_bool.toml", "unknown_top.toml", "misspelt_table.toml", "unknown_kind.toml", "unknown_param.toml",
          "param_nan.toml", "param_range_rev.toml", "param_neg.toml", "param_huge.toml", "param_wrongtype.toml",
          "params_not_table.toml", "gates_unknown.toml", "gates_nan.toml", "gates_neg.toml", "gates_huge.toml",
          "check_every_zero.toml", "check_every_neg.toml", "check_every_tiny.toml", "dupkey.toml", "duptable.toml",
          "sysconfig.toml", "profile.json", "toplevel_array.json", "deep.toml", "missing.toml"]:
    c(f"run --faults {f}", R + " --faults {in}/" + f)
for f in ["empty.toml", "unknown_top.toml", "param_nan.toml", "sysconfig.toml", "misspelt_table.toml", "check_every_tiny.toml"]:
    c(f"soak --faults {f}", S + " --faults {in}/" + f)
    c(f"swarm --faults {f}", "swarm --seeds 1-2 --duration 1s --workers 1 --no-shrink --quiet --no-history --out {rd}/swarm --faults {in}/" + f)
for f in ["cfg_empty.toml", "binary.toml", "adir.toml", "notoml.toml", "cfg_v1_bad.toml", "cfg_v1_nan.toml", "cfg_v2_bad.toml",
          "cfg_v2_unknownstage.toml", "cfg_v9.toml", "cfg_version_str.toml", "cfg_unknown_top.toml", "cfg_unknown_nested.toml",
          "cfg_inf.toml", "cfg_huge.toml", "cfg_huge_block.toml", "cfg_channels_mismatch.toml", "cfg_mixer_bad.toml",
          "cfg_profile_as_config.toml", "cfg_dup.toml", "cfg.json", "toplevel_array.json", "missing.toml"]:
    c(f"run --config {f}", R + " --config {in}/" + f)
for f in ["sc_empty.toml", "binary.toml", "notoml.toml", "sc_noformat.toml", "sc_format2.toml", "sc_unknown_key.toml",
          "sc_profile_ref.toml", "sc_bad_fault.toml", "sc_bad_at.toml", "sc_huge_at.toml", "sc_nan_param.toml",
          "sc_seed_neg.toml", "sc_seed_huge.toml", "sc_bad_system.toml", "sc_unknown_invariant.toml", "sc_unknown_op.toml",
          "sc_dup_name.toml", "sc_misspelt_table.toml", "dupkey.toml", "missing.toml"]:
    c(f"scenario check {f}", "scenario check {in}/" + f)
    c(f"scenario run {f}", "scenario run --skip-rig --report-dir {rd} --db {rd}/h.sqlite {in}/" + f)
c("scenario check adir", "scenario check {in}/adir.toml")
for f in ["ok_mono.wav", "ok_stereo.wav", "zero.wav", "u8.wav", "trunc.wav", "trunc_header.wav", "notwav.wav", "empty.wav",
          "rate1.wav", "ch6.wav", "binary.toml", "adir.toml", "missing.wav"]:
    c(f"analyze glitches {f}", "analyze glitches {in}/" + f)
    c(f"analyze latency rec={f}", "analyze latency --reference {in}/ok_mono.wav --recorded {in}/" + f)
    c(f"run --program {f}", R + " --program {in}/" + f)
c("analyze glitches --channel 1 mono", "analyze glitches --channel 1 {in}/ok_mono.wav")
c("analyze glitches --channel -1", "analyze glitches --channel -1 {in}/ok_stereo.wav")
c("analyze glitches --frequency nan", "analyze glitches --frequency nan {in}/ok_mono.wav")
c("analyze glitches --frequency 1e9", "analyze glitches --frequency 1e9 {in}/ok_mono.wav")
c("analyze glitches --tolerance -1", "analyze glitches --tolerance -1 {in}/ok_mono.wav")
c("analyze signal --duration 1e9", "analyze signal --kind sine --out {rd}/s.wav --duration 1e9")
c("analyze signal --duration -1", "analyze signal --kind sine --out {rd}/s.wav --duration -1")
c("analyze signal --rate 0", "analyze signal --kind sine --out {rd}/s.wav --rate 0")
c("analyze signal --channels 0", "analyze signal --kind sine --out {rd}/s.wav --channels 0")
c("analyze signal --amplitude 5", "analyze signal --kind sine --out {rd}/s.wav --amplitude 5")
c("analyze signal --out dir", "analyze signal --kind sine --out {in}/adir.toml")
c("analyze signal --out under file", "analyze signal --kind sine --out {in}/afile/s.wav")
for d in ["0", "-1", "1e9h", "abc", "nan", "inf", "", "1e-9s", "32d", "0.0001ms"]:
    c(f"run --duration {d!r}", "run --backend sim --seed 1 --report-dir {rd} --duration=" + d)
    c(f"soak --duration {d!r}", "soak --backend sim --seed 1 --no-progress --run-dir {rd}/soak --duration=" + d)
for d in ["0", "-1", "abc"]:
    c(f"soak --checkpoint {d!r}", S + " --checkpoint=" + d)
    c(f"soak --chunk {d!r}", S + " --chunk=" + d)
c("soak --pace nan", S + " --pace nan"); c("soak --pace -1", S + " --pace -1")
for s in ["-1", "4294967296", "abc", "1.5", "nan", "99999999999999999999999"]:
    c(f"run --seed {s}", "run --backend sim --duration 2s --report-dir {rd} --seed=" + s)
    c(f"soak --seed {s}", "soak --backend sim --duration 2s --no-progress --run-dir {rd}/soak --seed=" + s)
for s in ["abc", "10-1", "1-1e12", "-5-3", "0-4294967296", ""]:
    c(f"swarm --seeds {s!r}", "swarm --duration 1s --workers 1 --no-shrink --quiet --no-history --out {rd}/swarm --seeds=" + s)
c("swarm --duration 0", "swarm --seeds 1-2 --workers 1 --no-shrink --quiet --no-history --out {rd}/swarm --duration 0")
c("swarm --workers 0", "swarm --seeds 1-2 --duration 1s --workers 0 --no-shrink --quiet --no-history --out {rd}/swarm")
c("swarm --workers -1", "swarm --seeds 1-2 --duration 1s --workers -1 --no-shrink --quiet --no-history --out {rd}/swarm")
c("swarm --out a file", "swarm --seeds 1-2 --duration 1s --workers 1 --no-shrink --quiet --no-history --out {in}/afile")
c("run --report-dir a file", "run --backend sim --duration 2s --seed 1 --report-dir {in}/afile")
c("run --report-dir under a file", "run --backend sim --duration 2s --seed 1 --report-dir {in}/afile/sub")
c("run --report-dir /proc (unwritable)", "run --backend sim --duration 2s --seed 1 --report-dir /proc/sys/soundcheck")
c("soak --run-dir a file", "soak --backend sim --duration 2s --seed 1 --no-progress --run-dir {in}/afile")
c("soak --run-dir under a file", "soak --backend sim --duration 2s --seed 1 --no-progress --run-dir {in}/afile/sub")
c("soak --run-dir /proc (unwritable)", "soak --backend sim --duration 2s --seed 1 --no-progress --run-dir /proc/sys/soundcheck")
c("soak --run-dir existing nonempty dir", "soak --backend sim --duration 2s --seed 1 --no-progress --run-dir {in}")
c("soak --resume a file", "soak --resume {in}/afile")
c("soak --resume empty dir", "soak --resume {rd}")
c("soak --resume a dir w/o journal", "soak --resume {in}")
c("report a file", "report --no-history {in}/afile")
c("report empty dir", "report --no-history {rd}")
c("report missing", "report --no-history {in}/nosuch")
c("report dir of junk", "report --no-history {in}")
c("history --db binary", "history --db {in}/binary.toml")
c("history --db a dir", "history --db {in}/adir.toml")
c("history --db text", "history --db {in}/notoml.toml")
c("history --db missing", "history --db {rd}/nosuch.sqlite")
c("history --last -1", "history --db {rd}/h.sqlite --last -1")
c("history --window 0", "history --db {rd}/h.sqlite --window 0")
c("history -k nan", "history --db {rd}/h.sqlite -k nan")
c("compare two empty dirs", "compare {rd} {rd}")
c("compare file vs dir", "compare {in}/afile {rd}")
c("compare --alpha 2", "compare --alpha 2 {rd} {rd}")
c("run --mutant nosuch", R + " --mutant nosuch")
c("run --system nosuch:x", R + " --system nosuch_module:make")
c("run --system os:getcwd", R + " --system os:getcwd")
c("run --system bad", R + " --system notamodulepath")
c("run --device on sim", R + " --device nosuch")
c("scenario from-history missing", "scenario from-history {in}/nosuch.jsonl -o {rd}/x.toml")
c("scenario from-history binary", "scenario from-history {in}/binary.toml -o {rd}/x.toml")
c("scenario from-history notjson", "scenario from-history {in}/notoml.toml -o {rd}/x.toml")
c("scenario from-history empty", "scenario from-history {in}/empty.toml -o {rd}/x.toml")
c("scenario shrink binary", "scenario shrink {in}/binary.toml")
c("scenario shrink empty", "scenario shrink {in}/sc_empty.toml")
c("run --faults param_bool.toml", R + " --faults {in}/param_bool.toml")
c("run --faults gates_bool.toml", R + " --faults {in}/gates_bool.toml")
c("run --config cfg_bool.toml", R + " --config {in}/cfg_bool.toml")
c("scenario check sc_seed_bool.toml", "scenario check {in}/sc_seed_bool.toml")
if only: cases = [x for x in cases if any(o in x[0] for o in only)]
env = dict(os.environ, PYTHONPATH=WT, SOUNDCHECK_HISTORY_DB=str(OUT / "history.sqlite"), SOUNDCHECK_LOG_DIR=str(OUT / "logs"))
for i, (label, args) in enumerate(cases):
    rd = OUT / f"rd{i:03d}"; rd.mkdir(); cwd = OUT / f"cwd{i:03d}"; cwd.mkdir()
    argv = [f"{WT}/.venv/bin/python", "-m", "harness.cli"] + [a.format(**{"in": IN, "rd": rd}) for a in args.split(" ")]
    t = time.monotonic()
    try:
        p = subprocess.run(["nice", "-n", "19"] + argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = "timeout", (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or ""), ""
    dt = time.monotonic() - t
    cwd_files = sorted(str(p.relative_to(cwd)) for p in cwd.rglob("*"))
    rd_files = sorted(str(p.relative_to(rd)) for p in rd.rglob("*"))[:8]
    rec = {"i": i, "case": label, "cmd": "soundcheck " + args, "rc": rc, "s": round(dt, 1), "tb": "Traceback" in (out + err),
           "err": " | ".join(l for l in err.strip().splitlines()[-3:])[:400], "out": " | ".join(out.strip().splitlines()[-2:])[:300],
           "cwd_files": cwd_files, "rd_files": rd_files}
    print(json.dumps(rec), flush=True)
