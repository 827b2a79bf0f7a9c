import json, os, re, sys
from pathlib import Path
RUNS = Path(os.environ.get("AUDIT_RUNS", "/tmp/hostile-audit"))  # the audit's inputs and outputs, outside any repository
A = RUNS / "audit"
def load(name):
    out = {}
    p = A / name
    if p.exists():
        for l in p.read_text().splitlines():
            try: r = json.loads(l)
            except ValueError: continue
            out[r["case"]] = r
    return out
before = load("before.jsonl"); before.update(load("before-extra.jsonl"))
before.update(load("before-late1.jsonl")); before.update(load("before-late2.jsonl"))
after = load("after.jsonl"); after.update(load("after-late1.jsonl")); after.update(load("after-late2.jsonl"))
def short(r):
    if r is None: return "not run"
    msg = r["err"] or r["out"]
    msg = msg.replace(f"{A}/in/", "").replace("soundcheck: error: ", "")
    msg = re.sub(r"\s+", " ", msg).replace("|", "/")
    extra = []
    if r["tb"]: extra.append("TRACEBACK")
    if r["cwd_files"]: extra.append(f"wrote {len(r['cwd_files'])} file(s) in cwd")
    if r["rd_files"]: extra.append("made a run folder")
    head = f"{r['rc']}"
    if r["rc"] != 2 and not r["tb"] and not msg:
        msg = ""
    text = msg[:110] + ("…" if len(msg) > 110 else "")
    return f"**{head}**" + (f" {'; '.join(extra)}" if extra else "") + (f": {text}" if text else "")
cases = list(before) + [c for c in after if c not in before]
print("| input / command | before (main 0d10510): exit, what it printed | after (verdict10): exit, what it printed |")
print("|---|---|---|")
for c in cases:
    print(f"| `{c}` | {short(before.get(c))} | {short(after.get(c))} |")
n = len(cases); ok_b = sum(1 for c in cases if c in before and before[c]['rc'] == 2 and not before[c]['tb'])
print(f"\n{n} cases; exit 2 without a traceback: before {ok_b}, after {sum(1 for c in cases if c in after and after[c]['rc'] == 2 and not after[c]['tb'])}; tracebacks: before {sum(1 for c in before.values() if c['tb'])}, after {sum(1 for c in after.values() if c['tb'])}; files in the cwd: before {sum(1 for c in before.values() if c['cwd_files'])}, after {sum(1 for c in after.values() if c['cwd_files'])}")
