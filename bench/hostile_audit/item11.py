from harness import History, check_all
from system_under_test import AudioSystem
s = AudioSystem({}, seed=1)
h = History().attach(s)
orig = h._on_transition
state = {"n": 0}
def once(rec):
    state["n"] += 1
    if state["n"] == 2:
        raise RuntimeError("observer raises once")
    return orig(rec)
# replace the subscribed observer with the raising one
s.coordinator.remove_observer(orig); h._on_transition = once; s.add_observer(once)
s.initialize(); s.configure(s.config) if hasattr(s, "config") else None
try:
    s.start(); s.stop()
except Exception as e:
    print("op error", type(e).__name__, e)
s.close()
bad = [(v.name, v.ok, getattr(v, "inconclusive", None), str(getattr(v, "message", ""))[:200]) for v in check_all(h, system=s) if not v.ok]
print("not ok:", bad)
