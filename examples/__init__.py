"""Example systems under test for soundcheck (run from the repository root: ``--system examples.NAME:factory``)."""
