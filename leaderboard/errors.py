"""Errors about results: malformed records, bad bundles, an unreadable store."""


class LeaderboardError(ValueError):
    """Bad results input (a record, a bundle, a store path). The CLI prints it on one line and exits 2."""
