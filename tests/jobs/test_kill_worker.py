"""A real worker process is SIGKILLed in the middle of each long job (an invoice run, the
admission letters, a timetable solve); a fresh worker finds the dead lease, runs the job again
and it completes exactly once: no duplicated lines, letters or versions, no family skipped.

PostgreSQL only: the worker is another process on its own database (oppvekst.devtools.faults).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.db import connection

from oppvekst.devtools import faults

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real worker processes: PostgreSQL"
    ),
]


@pytest.fixture(scope="module")
def site() -> Iterator[faults.Site]:
    yield faults.make_site(os.environ["DATABASE_URL"], scale="0.03", stale_seconds=3)


def _job(name: str) -> faults.Job:
    return next(j for j in faults.JOBS if j.name == name)


def test_an_invoice_run_killed_mid_way_is_computed_once_after_recovery(
    site: faults.Site,
) -> None:
    r = faults.kill_mid_job(site, _job("invoice_run"))
    assert r["killed_while_running"] and r["finished"], r
    assert r["status"] == "preview" and r["lines"] > 0 and r["duplicated"] == 0, r
    assert r["restarts"] == 1 and r["attempts"] == 2, r


def test_admission_letters_killed_mid_way_reach_every_family_once(site: faults.Site) -> None:
    r = faults.kill_mid_job(site, _job("admission_letters"))
    assert r["killed_while_running"] and r["finished"], r
    assert r["families"] > 0 and r["families_told"] == r["families"], r
    assert r["duplicated"] == 0 and r["mail_repeats"] == 0, r
    assert r["restarts"] == 1, r


def test_a_timetable_solve_killed_mid_way_stores_one_result(site: faults.Site) -> None:
    r = faults.kill_mid_job(site, _job("timetable_solve"))
    assert r["killed_while_running"] and r["finished"], r
    assert r["status"] in ("solved", "unsolved") and r["duplicated"] == 0, r
    assert r["versions"] == (1 if r["status"] == "solved" else 0), r
    assert r["restarts"] == 1, r
