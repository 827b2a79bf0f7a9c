import sys
from harness.faults import coordinator_storm
from harness import History, check_all
from system_under_test.coordinator import ComponentCoordinator
for seed in range(1, int(sys.argv[1]) + 1):
    h = History()
    st = coordinator_storm(ComponentCoordinator(), h, threads=32, ops_per_thread=1000, seed=seed,
                           components=("a", "b", "c", "d"), switch_interval_s=None)
    vs = check_all(h, only=["legal_transitions", "history_complete"])
    print(seed, st.ops, [(v.name, v.ok, getattr(v, "status", None)) for v in vs], flush=True)
