"""Performance scripts: each measures one thing, prints it, and with --json ends with one JSON line."""
