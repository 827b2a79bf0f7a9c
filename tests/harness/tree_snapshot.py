"""What a command left in a folder tree: every entry's kind, mode and content digest, so a test can
hold a refused command to "nothing created, changed or removed"."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def snapshot(*folders: Path) -> dict[str, tuple[str, int, str]]:
    """Every entry under ``folders`` (links not followed): its kind, mode and content digest."""
    out: dict[str, tuple[str, int, str]] = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in dirs + files:
                p = Path(root) / name
                st = p.lstat()
                if p.is_symlink():
                    out[str(p)] = ("link", st.st_mode, os.readlink(p))
                elif p.is_dir():
                    out[str(p)] = ("dir", st.st_mode, "")
                else:
                    out[str(p)] = ("file", st.st_mode, hashlib.sha256(p.read_bytes()).hexdigest())
    return out
