"""Errors about benchmarks: unknown names, bad protocol settings, missing data."""

from core.errors import UserInputError


class BenchmarkError(UserInputError):
    """A benchmark name, preset or setting is invalid."""


class DataNotFoundError(BenchmarkError):
    """A data set is not where it was asked for; the message lists the files and how to get them."""
