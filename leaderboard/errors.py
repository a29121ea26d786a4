"""Errors about results: malformed records, bad bundles, an unreadable store."""

from core.errors import UserInputError


class LeaderboardError(UserInputError):
    """Bad results input (a record, a bundle, a store path). The CLI prints it on one line and exits 2."""
