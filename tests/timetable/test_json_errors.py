"""The timetable grid's JSON answers refuse in the API's one error shape {code, message,
fields} (with the grid's `ok` flag beside it), also for an unknown object or a stranger."""

from __future__ import annotations

import pytest

from tests.timetable.helpers import generated, unsolved_version

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def _shape(body: dict) -> None:
    assert body["ok"] is False
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str)
    assert isinstance(body["fields"], dict)


def test_targets_without_a_lesson_is_a_structured_400(persona_client) -> None:
    version = unsolved_version(generated())
    r = persona_client("principal").get(f"/timeplan/versjon/{version.pk}/mal/", **JSON)
    assert r.status_code == 400
    _shape(r.json())
    assert r.json()["code"] == "invalid" and "Velg en time" in r.json()["message"]


def test_an_unknown_version_is_a_structured_404(persona_client) -> None:
    r = persona_client("principal").get("/timeplan/versjon/999999/mal/?plassering=1", **JSON)
    assert r.status_code == 404
    _shape(r.json())
    assert r.json()["code"] == "not_found"


def test_a_move_without_a_target_is_a_structured_400(persona_client) -> None:
    version = unsolved_version(generated())
    r = persona_client("principal").post(f"/timeplan/versjon/{version.pk}/flytt/", {}, **JSON)
    assert r.status_code == 400
    _shape(r.json())


def test_a_bad_solve_request_names_its_fields(persona_client) -> None:
    tt = generated()
    r = persona_client("principal").post(
        f"/timeplan/{tt.pk}/legg/", {"idempotency_key": "x", "time_limit": "nei"}, **JSON
    )
    assert r.status_code == 400
    _shape(r.json())
    assert "time_limit" in r.json()["fields"]


def test_job_status_of_a_timetable_one_may_not_edit_is_a_structured_404(persona_client) -> None:
    tt = generated()
    r = persona_client("guardian").get(f"/timeplan/{tt.pk}/status/")
    assert r.status_code == 404
    _shape(r.json())


def test_a_page_still_answers_html_when_json_is_not_asked_for(persona_client) -> None:
    r = persona_client("principal").get("/timeplan/versjon/999999/flytt/?plassering=1")
    assert r.status_code == 404
    assert r["Content-Type"].startswith("text/html")


def test_billing_run_status_of_an_unknown_run_is_a_structured_404(persona_client) -> None:
    r = persona_client("caseworker").get("/betaling/kjoring/999999/status/")
    assert r.status_code == 404
    _shape(r.json())
