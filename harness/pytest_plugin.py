"""soundcheck's pytest plugin (registered through the ``pytest11`` entry point). Cheap to import."""
