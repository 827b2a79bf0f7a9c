"""Sub-commands of the ``soundcheck`` CLI, one module each.

Every module here defines ``register(subparsers)``, which adds its parser and sets
``func=handler`` where ``handler(args) -> int`` returns the exit status. ``harness.cli`` finds
them with ``pkgutil`` so a new command is one new file.
"""
