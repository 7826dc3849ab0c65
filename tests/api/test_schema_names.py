"""Every schema in the OpenAPI document has one meaning: two response classes with the same
name would be merged into one component, and one of them would then fail its documented
schema."""

from __future__ import annotations

import importlib
import inspect
from collections import defaultdict

from ninja import Schema

from oppvekst.api.base import _api_modules


def test_no_two_api_schemas_share_a_name() -> None:
    where: dict[str, set[str]] = defaultdict(set)
    for module_name in _api_modules():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Schema) and value is not Schema:
                where[value.__name__].add(f"{value.__module__}.{name}")
    duplicates = {name: sorted(found) for name, found in where.items() if len(found) > 1}
    assert duplicates == {}
