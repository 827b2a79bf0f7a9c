from harness.faults import system_storm
from harness import History, check_all
from harness.verdict import judge_run
from system_under_test import AudioSystem
for seed, (threads, ops) in enumerate([(8, 200), (16, 400), (32, 1000)], 1):
    s = AudioSystem({}, seed=seed); h = History().attach(s)
    system_storm(s, threads=threads, ops_per_thread=ops, seed=seed, history=h, switch_interval_s=None)
    s.close()
    vs = check_all(h, s, only=["linearizable"])
    v = vs[0]; rv = judge_run(vs)
    print(threads, ops, "ok", v.ok, "inconclusive", v.inconclusive, "|", v.message[:100], "| run verdict:", rv.outcome.value, rv.exit_code, rv.headline()[:100], flush=True)
