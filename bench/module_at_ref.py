"""A harness module as it reads at a git ref, loaded beside this tree's own, for the bench scripts
that compare a rule before and after a change on the same inputs (``leak_equal_rises_search.py``,
``xrun_lead_removed.py``). An unknown ref is exit 2 with the fix, no traceback."""

from __future__ import annotations

import subprocess
import sys
import types


def module_at_ref(script: str, ref: str, path: str, name: str) -> types.ModuleType:
    """``path`` (from the repository's root) as it reads at ``ref``, run as a module called
    ``name``; ``script`` names the caller in the message for a ref that has no such file."""
    shown = subprocess.run(["git", "show", f"{ref}:{path}"], capture_output=True, text=True)
    if shown.returncode != 0:
        print(f"{script}: {ref}: no {path} at that ref (give a commit of this repository, e.g. 067ab6b)",
              file=sys.stderr)
        raise SystemExit(2)
    module = types.ModuleType(name)
    sys.modules[name] = module  # its dataclasses look their module up
    exec(compile(shown.stdout, f"{ref}:{path}", "exec"), module.__dict__)
    return module
