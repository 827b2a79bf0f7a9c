def export_failure(*a, **k): raise NotImplementedError
def scenario_from_history(*a, **k): raise NotImplementedError
def write_scenario(*a, **k): raise NotImplementedError
