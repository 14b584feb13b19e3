"""DESIGN: "no standard id, action id or evidence type is written in Python"."""
from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from standards.loader import BUNDLED_DIR, load_standard_file

REPO = Path(__file__).resolve().parents[2]
SKIPPED_TOP_FOLDERS = {"tests", "benchmarks"}
SKIPPED_FOLDERS = {".git", ".venv", "venv", "env", "node_modules", "__pycache__", "site-packages", "data"}


def python_files() -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(REPO):
        here = Path(folder)
        subfolders[:] = [
            name for name in subfolders
            if name not in SKIPPED_FOLDERS and not name.startswith(".")
            and not (here == REPO and name in SKIPPED_TOP_FOLDERS)
        ]
        found.extend(here / name for name in files if name.endswith(".py") and not name.startswith("demo"))
    return sorted(found)


def string_literals(source: str) -> list[tuple[int, str]]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [(source.count("\n", 0, m.start()) + 1, m.group(2))
                for m in re.finditer(r"(['\"])([^'\"\n]*)\1", source)]
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_the_scan_sees_the_engine():
    names = {path.relative_to(REPO).as_posix() for path in python_files()}
    assert "scoring/engine.py" in names
    assert not any(name.startswith("tests/") for name in names)


def test_no_vse3_action_or_evidence_type_id_is_a_string_literal_outside_tests():
    vse3 = load_standard_file(BUNDLED_DIR / "vse-3.yaml")
    ids = {a.id for a in vse3.actions} | {t.id for t in vse3.evidence_types} | {vse3.id}
    offending = []
    for path in python_files():
        for line, value in string_literals(path.read_text(encoding="utf-8", errors="replace")):
            if value.strip() in ids:
                offending.append(f"{path.relative_to(REPO).as_posix()}:{line}: {value!r}")
    assert not offending, "ids of the standard written in Python:\n" + "\n".join(offending)
