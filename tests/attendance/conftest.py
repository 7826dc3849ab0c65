"""Database tests start from a clean morning in the kindergarten heads' units: the demo's
check-ins and absences there are removed inside the test's transaction (rolled back after)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _clean_morning(request: Any) -> None:
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    from oppvekst.attendance.models import Absence, Attendance, StaffPresence
    from oppvekst.core.models import Unit
    from tests.conftest import DEMO_TODAY

    units = Unit.objects.filter(
        employments__person__user__demopersona__slug__in=[
            "kindergarten-head",
            "private-kindergarten-head",
        ],
        employments__position="principal",
    )
    Attendance.objects.filter(unit__in=units, day=DEMO_TODAY).delete()
    StaffPresence.objects.filter(unit__in=units, day=DEMO_TODAY).delete()
    Absence.objects.filter(child__placements__unit__in=units).delete()
