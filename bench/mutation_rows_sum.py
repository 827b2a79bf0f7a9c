"""`make mutation` estimated as a sum of rows: the latest whole row of each module of
`scripts/mutation all` in MUTATION.md (as of 2026-12-05 evening, copied here by hand), its wall
and CPU minutes. No mutant is run: on the shared machine a whole run takes longer than a session.
"""
ROWS = {  # module: (row commit, wall minutes, CPU minutes or None, mutants)
    "lifecycle": ("af14dbb+", 1.9, 0.3, 73), "buffers": ("53bf9d2", 3.9, 1.1, 128),
    "resources": ("8cc135f", 45.1, 2.0, 264), "recovery": ("fa80441", 2.0, 0.4, 54),
    "errors": ("2c6cf47", 4.8, 1.1, 224), "monitoring": ("92d71b0", 8.8, 0.5, 176),
    "config": ("8cc135f", 41.9, 2.1, 518), "coordinator": ("17857a5+", 7.9, 1.3, 351),
    "dsp": ("1de1a69", 14.8, 3.5, 821), "pipeline": ("8cc135f", 57.8, 3.0, 588),
    "system": ("efaa7bf", 10.2, 17.3, 1148), "recoverer": ("fa80441", 35.9, 2.9, 469),
    "devices/simulated": ("8cc135f", 67.4, 4.2, 739), "clock": ("27c40e0", 6.5, 1.5, 197),
    "scheduler": ("7b34c13", 4.4, 0.2, 71), "devices/base": ("258bbb6", 2.2, 0.2, 38),
    "config_apply": ("a99f07b", 0.2, 0.2, 18), "blocks": ("a99f07b", 0.2, 0.2, 4),
    "dsp_kernels": ("7b598c2", 0.8, 0.5, 110), "devices/_devhost": ("92d71b0", 14.5, 1.8, 600),
    "devices/portaudio": ("da31ef5", 43.6, 6.3, 1212), "devices/jack": ("da31ef5", 1.1, 0.1, 16),
    "devices/spawn": ("c22d0f4", 4.5, 0.1, 36), "held": ("af14dbb", 1.4, 0.3, 22),
}
NOW = {"system": 1491, "devices/portaudio": 1286}  # mutants today, where the module grew since its row
wall = sum(r[1] for r in ROWS.values())
cpu = sum(r[2] for r in ROWS.values())
scaled = cpu + sum(ROWS[m][2] * (n / ROWS[m][3] - 1) for m, n in NOW.items())
print(f"{len(ROWS)} modules; wall minutes (each at its row's load): {wall:.1f}; CPU minutes: {cpu:.1f}; "
      f"scaled to today's mutant counts: {scaled:.1f}")
