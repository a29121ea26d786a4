"""What the `clbench new-*` scaffolds share: checking a new registry name, naming its module and class,
and writing the new files all or none, never over an existing one unless asked.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from core.errors import UserInputError
from core.files import write_atomic


@dataclass(frozen=True)
class Scaffold:
    """The two files a `clbench new-*` command writes: the code (a method, a protocol) and its test."""

    code_path: Path
    test_path: Path


def module_name(name: str) -> str:
    """The Python module a registry name lives in: `random-label-gaussian` → `random_label_gaussian`."""
    return name.replace("-", "_")


def class_name(name: str) -> str:
    """The class a registry name is written as: `grad_clip` → `GradClip`, `random-label-gaussian` → `RandomLabelGaussian`."""
    return "".join(part.capitalize() for part in re.split(r"[-_]", name) if part)


def check_new_name(
    name: str, kind: str, pattern: re.Pattern[str], form: str, taken: Iterable[str], error: type[UserInputError]
) -> None:
    """Refuse a `kind` name that does not match `pattern` (described by `form`), makes a keyword module, or is taken."""
    if not pattern.fullmatch(name):
        raise error(f"{kind} name '{name}' is invalid: expected {form}")
    if keyword.iskeyword(module_name(name)):
        raise error(f"{kind} name '{name}' is invalid: its module '{module_name(name)}' would be a Python keyword")
    taken = sorted(taken)
    if name in taken:
        raise error(f"{kind} name '{name}' is already registered; choose another (registered: {', '.join(taken)})")


def write_new_files(files: Mapping[Path, str], error: type[UserInputError], force: bool = False) -> None:
    """Write every file atomically, or none: an existing file is refused unless `force`, and a failed write
    removes the files this call created.
    """
    existing = {path for path in files if path.exists()}
    if existing and not force:
        first = next(path for path in files if path in existing)
        raise error(f"{first} already exists; pass --force to overwrite it")
    created: list[Path] = []
    try:
        for path, text in files.items():
            write_atomic(path, text)
            if path not in existing:
                created.append(path)
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
