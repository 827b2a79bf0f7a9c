"""A sounddevice-style player (``player.py``) and its thin soundcheck adapter (``adapter.py``).

    soundcheck run --backend sim --system examples.simple_player:make_system --duration 60s
"""

from .adapter import PlayerSystem, make_fixed_system, make_system
from .player import FixedPlayer, SimplePlayer

__all__ = ["FixedPlayer", "PlayerSystem", "SimplePlayer", "make_fixed_system", "make_system"]
