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


def _app_code_at_run_time(tree: ast.Module) -> list[str]:
    """`from oppvekst... import` anywhere, and any use of `oppvekst` inside a function (the
    code RunPython runs). Django's own `import oppvekst.<app>.models`, naming a field class or
    validator in a schema operation, is allowed: that is how Django records custom fields."""
    found = [
        str(node.module)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("oppvekst")
    ]
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import):
                found += [a.name for a in node.names if a.name.startswith("oppvekst")]
            elif isinstance(node, ast.Name) and node.id == "oppvekst":
                found.append(f"{func.name}: oppvekst")
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


def test_no_migration_runs_application_code() -> None:
    offenders = {}
    for path in MIGRATIONS:
        found = _app_code_at_run_time(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_no_migration_reads_a_file_at_migration_time() -> None:
    offenders = {}
    for path in MIGRATIONS:
        reads = _file_reads(ast.parse(path.read_text(encoding="utf-8")))
        if reads:
            offenders[str(path.relative_to(ROOT))] = reads
    assert offenders == {}
