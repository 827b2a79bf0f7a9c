"""The replay scenario of a failed run: its history exported and minimised into ``<run>/scenarios/``.

A run that violated an invariant leaves a scenario file that fails on the same invariant
(``harness.scenarios.export_failure``: greedy removal of steps while the same invariant still
fails; on the ``--mutant`` the run ran, when it ran one). A run that held every invariant has
nothing to replay: a failed recovery there is the system following its policy. The driver of the
run (``harness.runner``) calls this before the reports are written and hands the answer to them
as ``RunData.replay``: the reports render it and never run a scenario themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

NOTHING_TO_REPLAY = ("nothing to replay: the run held every invariant (this recovery failed and the "
                     "system handled it as its policy says)")


def violated_invariants(verdicts: Iterable[Mapping[str, Any]]) -> list[str]:
    """The invariants a run violated, in its verdict order (``run_completed`` is not one)."""
    return [str(v["name"]) for v in verdicts if not v.get("ok") and v.get("name") != "run_completed"]


def export_replay(verdicts: Iterable[Mapping[str, Any]], *, run_dir: Path, history: Path | None,
                  config: Mapping[str, Any] | None, seed: Any, mutant: str | None,
                  profile: str | None = None) -> dict[str, Any]:
    """``{"path": scenario file or None, "note": what it is or why there is none}`` for one run."""
    violated = violated_invariants(verdicts)
    if not violated:  # before the imports: a passing run never loads the scenario package (~0.1 s)
        return {"path": None, "note": NOTHING_TO_REPLAY}
    from .history import History  # noqa: PLC0415 - a failing run only
    from .scenarios import export_failure  # noqa: PLC0415 - a failing run only

    invariant = violated[0]
    if history is None or not history.is_file():
        return {"path": None, "note": f"no history file to export; replay with seed {seed} and profile {profile}"}
    try:
        factory = None
        if mutant:  # the failure happened on a mutant: minimise (and reproduce) on it
            from .scenarios.executor import mutant_factory  # noqa: PLC0415

            factory = mutant_factory(str(mutant))
        path = export_failure(History.read_jsonl(history), config=dict(config) if config else None,
                              seed=int(seed) if isinstance(seed, int) else 0, failed_invariant=invariant,
                              out_dir=Path(run_dir) / "scenarios", system_factory=factory,
                              reproduces=f"run {Path(run_dir).name}: invariant {invariant}")
    except Exception as exc:  # noqa: BLE001 - the reports must still be written, saying why
        return {"path": None, "note": f"could not export a scenario for {invariant}: {type(exc).__name__}: {exc}"}
    text = Path(path).read_text(encoding="utf-8")
    note = ("the exported timeline did not reproduce the failure (see its description)"
            if "NOTE: this timeline did not reproduce" in text
            else f"minimised scenario; `soundcheck scenario run {path}` fails on {invariant}")
    return {"path": str(path), "note": note}


__all__ = ["NOTHING_TO_REPLAY", "export_replay", "violated_invariants"]
