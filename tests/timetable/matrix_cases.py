"""The timetable pages in the authorization matrix (tests/access/test_matrix.py).

The principal's school (Lillestrøm skole) gets a timetable with a draft and a published
version; a school in another municipality gets one too. School leaders edit their own school;
its staff read published versions; guardians read their children's class; nobody reaches
another school's timetable. Every route answers GET (forms and confirmations) so the matrix
can reach it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from oppvekst.placements.models import Placement
from oppvekst.timetable import services
from oppvekst.timetable.models import CalendarFeed, FeedKind, TimetableConstraint
from tests.access.personas import Objects
from tests.timetable.helpers import (
    generated,
    other_school,
    persona_user,
    principal_school,
    unsolved_version,
)

ROUTES = {
    "timeplan/",
    "timeplan/skole/<int:unit_id>/<int:start_year>/lag/",
    "timeplan/<int:timetable_id>/",
    "timeplan/<int:timetable_id>/legg/",
    "timeplan/<int:timetable_id>/status/",
    "timeplan/<int:timetable_id>/regler/",
    "timeplan/<int:timetable_id>/regler/<int:rule_id>/slett/",
    "timeplan/versjon/<int:version_id>/",
    "timeplan/versjon/<int:version_id>/mal/",
    "timeplan/versjon/<int:version_id>/flytt/",
    "timeplan/versjon/<int:version_id>/las/",
    "timeplan/versjon/<int:version_id>/publiser/",
    "timeplan/versjon/<int:version_id>/pdf/",
    "timeplan/min-uke/",
    "timeplan/kalender/",
    "timeplan/kalender/<int:feed_id>/slett/",
    "timeplan/kalender/<str:token>.ics",
}
API_OPERATIONS: set[tuple[str, str]] = set()

VIEWERS = {"guardian", "teacher", "principal"}  # timetable.view: school staff and guardians


@dataclass
class _World:
    own_tt: int
    other_tt: int
    own_year: int
    own_unit: int
    other_unit: int
    draft: int
    published: int
    other_published: int
    placement: int
    published_placement: int
    rule: int
    own_class: int
    other_class: int
    feed: int
    feed_token: str


def _world() -> _World:
    unit, other = principal_school(), other_school()
    tt, ott = generated(unit), generated(other)
    draft = tt.versions.filter(status="draft").first() or unsolved_version(tt)
    published = tt.versions.filter(status="published").first() or unsolved_version(
        tt, published=True
    )
    other_published = ott.versions.filter(status="published").first() or unsolved_version(
        ott, published=True
    )
    guardian = persona_user("guardian").person
    own_class = (
        Placement.objects.filter(
            child__guardianships__guardian=guardian, service="school", unit=unit
        )
        .values_list("group_id", flat=True)
        .first()
    )
    assert own_class is not None
    other_class = (
        tt.teaching_groups.filter(kind="class")
        .exclude(classes=own_class)
        .exclude(classes__placements__child__guardianships__guardian=guardian)
        .values_list("classes", flat=True)
        .first()
    )
    assert other_class is not None
    principal = persona_user("principal")
    feed = CalendarFeed.objects.filter(owner=principal, revoked_at__isnull=True).first()
    if feed is None:
        from oppvekst.access.policy import actor_for_user

        feed = services.feed_create(
            actor=actor_for_user(principal),
            user=principal,
            kind=FeedKind.ROOM,
            room=tt.rooms.order_by("pk").first(),
        )
    rule = TimetableConstraint.objects.filter(timetable=tt).order_by("pk").first()
    assert rule is not None
    return _World(
        own_tt=tt.pk,
        other_tt=ott.pk,
        own_year=tt.school_year.start_year,
        own_unit=unit.pk,
        other_unit=other.pk,
        draft=draft.pk,
        published=published.pk,
        other_published=other_published.pk,
        placement=draft.placements.order_by("pk").values_list("pk", flat=True)[0],
        published_placement=published.placements.order_by("pk").values_list("pk", flat=True)[0],
        rule=rule.pk,
        own_class=own_class,
        other_class=other_class,
        feed=feed.pk,
        feed_token=services.feed_token(feed),
    )


def page_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, str, bool]]:
    w = _world()
    leader = slug == "principal"
    staff = slug in {"principal", "teacher"}
    base = "/timeplan/"
    yield "timeplan/", "GET", base, slug in VIEWERS
    create = "timeplan/skole/<int:unit_id>/<int:start_year>/lag/"
    yield create, "GET", f"{base}skole/{w.own_unit}/{w.own_year}/lag/", leader
    yield create, "GET", f"{base}skole/{w.other_unit}/{w.own_year}/lag/", False
    for route, suffix in (
        ("timeplan/<int:timetable_id>/", ""),
        ("timeplan/<int:timetable_id>/legg/", "legg/"),
        ("timeplan/<int:timetable_id>/status/", "status/"),
        ("timeplan/<int:timetable_id>/regler/", "regler/"),
    ):
        own_ok = staff if suffix == "" else leader
        yield route, "GET", f"{base}{w.own_tt}/{suffix}", own_ok
        yield route, "GET", f"{base}{w.other_tt}/{suffix}", False
    rule = "timeplan/<int:timetable_id>/regler/<int:rule_id>/slett/"
    yield rule, "GET", f"{base}{w.own_tt}/regler/{w.rule}/slett/", leader
    yield rule, "GET", f"{base}{w.other_tt}/regler/{w.rule}/slett/", False
    version = "timeplan/versjon/<int:version_id>/"
    yield version, "GET", f"{base}versjon/{w.draft}/", leader
    yield version, "GET", f"{base}versjon/{w.published}/", staff
    yield (
        version,
        "GET",
        f"{base}versjon/{w.published}/?klasse={w.own_class}",
        (staff or slug == "guardian"),
    )
    yield version, "GET", f"{base}versjon/{w.published}/?klasse={w.other_class}", staff
    yield version, "GET", f"{base}versjon/{w.other_published}/", False
    pdf = "timeplan/versjon/<int:version_id>/pdf/"
    yield (
        pdf,
        "GET",
        f"{base}versjon/{w.published}/pdf/?klasse={w.own_class}",
        (staff or slug == "guardian"),
    )
    yield pdf, "GET", f"{base}versjon/{w.draft}/pdf/", leader
    yield pdf, "GET", f"{base}versjon/{w.other_published}/pdf/", False
    for route, suffix in (
        ("timeplan/versjon/<int:version_id>/mal/", "mal/?plassering="),
        ("timeplan/versjon/<int:version_id>/flytt/", "flytt/?plassering="),
        ("timeplan/versjon/<int:version_id>/las/", "las/?plassering="),
        ("timeplan/versjon/<int:version_id>/publiser/", "publiser/"),
    ):
        p, pp = (w.placement, w.published_placement) if "=" in suffix else ("", "")
        yield route, "GET", f"{base}versjon/{w.draft}/{suffix}{p}", leader
        yield route, "GET", f"{base}versjon/{w.published}/{suffix}{pp}", leader
        yield route, "GET", f"{base}versjon/{w.other_published}/{suffix}", False
        # A change by someone without the right is refused (404), whatever it carries.
        if not leader and not suffix.startswith("mal/"):
            yield route, "POST", f"{base}versjon/{w.draft}/{suffix}{p}", False
    yield "timeplan/min-uke/", "GET", f"{base}min-uke/", staff
    yield "timeplan/kalender/", "GET", f"{base}kalender/", slug in VIEWERS
    revoke = "timeplan/kalender/<int:feed_id>/slett/"
    yield revoke, "GET", f"{base}kalender/{w.feed}/slett/", leader
    # The feed itself needs no login: the secret address is the key.
    feed = "timeplan/kalender/<str:token>.ics"
    yield feed, "GET", f"{base}kalender/{w.feed_token}.ics", True
    yield feed, "GET", f"{base}kalender/kal_not-a-valid-token.ics", False


def api_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, bool]]:
    yield from ()
