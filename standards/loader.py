"""Reads standard files (YAML) and reports a broken one with the field at fault."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from errors import HavenError
from standards.schema import Standard

BUNDLED_DIR = Path(__file__).parent


class StandardFileError(HavenError, ValueError):
    """A standard file that cannot be used; the message names the file and the field."""


def load_standard_file(path: Path) -> Standard:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise StandardFileError(f"{path.name}: cannot be read as YAML ({error})") from error
    if not isinstance(raw, dict):
        raise StandardFileError(f"{path.name}: expected a mapping at the top level")
    try:
        return Standard.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        field = ".".join(str(part) for part in first["loc"])
        # A whole-file check (unknown or repeated ids) names its own field in the message.
        where = f"{path.name}: {field}: " if field else f"{path.name}: "
        raise StandardFileError(where + message) from error


def load_standards(directory: Path = BUNDLED_DIR) -> dict[str, Standard]:
    standards: dict[str, Standard] = {}
    for path in sorted(directory.glob("*.yaml")):
        standard = load_standard_file(path)
        if standard.id in standards:
            raise StandardFileError(f"{path.name}: standard id '{standard.id}' is already defined")
        standards[standard.id] = standard
    return standards


@lru_cache(maxsize=8)
def bundled_standards() -> dict[str, Standard]:
    return load_standards(BUNDLED_DIR)


def get_standard(standard_id: str) -> Standard:
    standards = bundled_standards()
    if standard_id not in standards:
        raise KeyError(f"Unknown standard '{standard_id}'")
    return standards[standard_id]
