"""Every list in the configuration admin runs a fixed number of queries, however many rows it
shows: what a row prints is fetched with the list, not one query per row."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Session, user, the admin's sidebar and the list's count and page: well below one per row.
MAX_QUERIES = 15
MIN_ROWS = 20  # a list this long would show a per-row query


def _changelists() -> list[tuple[str, Any]]:
    return sorted(
        (f"{model._meta.app_label}.{model._meta.model_name}", model)
        for model in admin.site._registry
    )


@pytest.mark.parametrize(("label", "model"), _changelists(), ids=[x[0] for x in _changelists()])
def test_admin_list_query_count_does_not_grow_with_its_rows(
    persona_client: Any, label: str, model: Any
) -> None:
    client = persona_client("admin")
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    first = client.get(url)
    if first.status_code in (302, 403):
        pytest.skip(f"{label}: not open to the demo administrator")
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    rows = model._default_manager.count()
    if rows < MIN_ROWS:
        pytest.skip(f"{label}: only {rows} rows in the test demo")
    assert len(queries) <= MAX_QUERIES, f"{label}: {len(queries)} queries for {rows} rows"
