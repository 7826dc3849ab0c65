"""Data migrations carry their data frozen: migrating a fresh database gives the same result
whatever the application's code or data files say later (Django's "historical models" rule)."""

from __future__ import annotations

import ast
from pathlib import Path

import oppvekst

ROOT = Path(oppvekst.__file__).parent
MIGRATIONS = sorted(p for p in ROOT.glob("*/migrations/0*.py"))
# Reading a file or a package resource at migration time reads today's file, not the frozen one.
FILE_READS = {"open", "read_text", "read_bytes", "files", "load", "loads"}


def _runs_code(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Attribute) and node.attr in {"RunPython", "RunSQL"}
        for node in ast.walk(tree)
    )


def _app_imports(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("oppvekst"):
            found.append(str(node.module))
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("oppvekst")]
    return found


def _file_reads(tree: ast.Module) -> list[str]:
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in FILE_READS:
                calls.append(name)
    return calls


def test_migrations_are_found() -> None:
    assert len(MIGRATIONS) >= 10


def test_data_and_sql_migrations_import_no_application_code() -> None:
    offenders = {}
    for path in MIGRATIONS:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if _runs_code(tree) and _app_imports(tree):
            offenders[str(path.relative_to(ROOT))] = _app_imports(tree)
    assert offenders == {}


def test_no_migration_reads_a_file_at_migration_time() -> None:
    offenders = {}
    for path in MIGRATIONS:
        reads = _file_reads(ast.parse(path.read_text(encoding="utf-8")))
        if reads:
            offenders[str(path.relative_to(ROOT))] = reads
    assert offenders == {}
