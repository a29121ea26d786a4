"""Errors a researcher can act on: what was wrong, what is allowed, and the closest valid name.

Every user error derives from `UserInputError`, the one root the CLI turns into a line and exit code 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class UserInputError(ValueError):
    """Bad input from a person (a name, a value, a path). The CLI prints it on one line and exits 2."""


class MethodError(UserInputError):
    """A method name, spec, composition or hyperparameter is invalid."""


def closest(name: str, valid: Iterable[str]) -> str | None:
    """The valid name closest to `name`, or None when nothing is close."""
    matches = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.5)
    return matches[0] if matches else None


def unknown_name_message(kind: str, name: str, valid: Iterable[str]) -> str:
    """'unknown method 'napp'; did you mean 'nap'? Valid: a, b, c'."""
    valid = sorted(valid)
    hint = closest(name, valid)
    suggestion = f"; did you mean '{hint}'?" if hint else "."
    return f"unknown {kind} '{name}'{suggestion} Valid {kind}s: {', '.join(valid)}"
