"""A system whose simulated device a driver takes away behind the harness's back: ``sim-in`` goes
``AFTER_S`` after the system first starts and comes back ``FOR_S`` later, with no fault record.

The system recovers and every invariant holds, yet the run cannot vouch for it: the tests of the
device-loss rule (a run, a soak, a scenario, a scenario's pytest item, the stateful machine) use
it. It imports nothing of the tests, so a test can copy its source (``SOURCE``) into a pytester
folder as ``lossy_system.py`` and name ``lossy_system:LosesItsDevice``."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from system_under_test import AudioSystem


class LosesItsDevice(AudioSystem):
    #: seconds after the first start when the device goes, and how long it stays gone
    AFTER_S = 0.3
    FOR_S = 0.2

    def start(self, *a: Any, **kw: Any) -> Any:
        out = super().start(*a, **kw)
        if not getattr(self, "_dropped", False):
            self._dropped = True
            backend, clock, back_after = self.backend, self.clock, self.FOR_S
            clock.call_later(self.AFTER_S, lambda: (backend.remove_device("sim-in", report=True),
                                                    clock.call_later(back_after,
                                                                     lambda: backend.restore_device("sim-in"))))
        return out


def runs_a_while(extra_expect: str = "", steps: str = "") -> str:
    """A scenario file's text: the system starts, ``steps`` (TOML ``[[steps]]`` tables) run, two
    seconds pass, and it is expected RUNNING with legal transitions, plus ``extra_expect``.
    Under ``LosesItsDevice`` every expectation holds and the run is still inconclusive."""
    return textwrap.dedent('''
        format = 1

        [scenario]
        id = "runs-a-while"
        title = "The system runs for two seconds"
        reproduces = "risk: a device lost behind the harness's back passed as a healthy scenario"

        [run]
        seed = 4

        [system.recovery]
        max_attempts = 20
        initial_backoff_ms = 20
        max_backoff_ms = 100
        deadline_ms = 3000

        [[steps]]
        op = "start"
        ''') + steps + textwrap.dedent('''
        [[steps]]
        wait = "2s"

        [[expect]]
        state = "running"

        [[expect]]
        invariant = "legal_transitions"
        ''') + extra_expect


#: this module's source, for a test that writes it into a folder of its own
SOURCE = Path(__file__).read_text()
