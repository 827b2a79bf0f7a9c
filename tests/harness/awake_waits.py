"""The tests' name for the rig's awake-time waits (``harness.rig.awake``), imported by scripts the
tests run from this folder as well."""

from harness.rig.awake import AsleepClock, any_runnable, process_tree, tree_state, wait_until_awake_for, wait_while_awake

__all__ = ["AsleepClock", "any_runnable", "process_tree", "tree_state", "wait_until_awake_for", "wait_while_awake"]
