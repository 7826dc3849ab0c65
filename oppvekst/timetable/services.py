"""Changes to timetables: solve jobs, moving and locking lessons, publishing, rules, feeds.

Each service runs in one transaction and locks the timetable or version row it changes, so two
leaders editing the same draft are serialised; a stale edit (an old `revision`) is refused.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oppvekst import clock
from oppvekst.access.models import User
from oppvekst.access.policy import Actor, can
from oppvekst.core.models import Group
from oppvekst.errors import ConflictError, DomainError, NotFoundError
from oppvekst.jobs import services as jobs
from oppvekst.people.models import Person
from oppvekst.staff.models import Employment
from oppvekst.timetable import task_sources
from oppvekst.timetable.adapters import (
    Built,
    build_instance,
    room_id_of,
    room_key,
    solution_from_placements,
    teacher_key,
)
from oppvekst.timetable.engine import model as m
from oppvekst.timetable.engine.moves import (
    broken_activities,
    neighbourhood,
)
from oppvekst.timetable.engine.verify import verify
from oppvekst.timetable.models import (
    CalendarFeed,
    ConstraintKind,
    FeedKind,
    JobMode,
    JobStatus,
    LessonPlacement,
    Room,
    SolveJob,
    Timetable,
    TimetableConstraint,
    TimetableVersion,
    VersionStatus,
)
from oppvekst.timetable.move_checks import (
    apply_plan,
    new_hard_violations,
    plan_move,
    refusal_message,
)
from oppvekst.timetable.permissions import TimetableAction

if TYPE_CHECKING:
    from oppvekst.timetable.engine.solver import Progress, SolveOptions, SolveResult

MAX_TIME_LIMIT = 600
PROGRESS_INTERVAL = 0.5  # seconds between progress writes to the job row
FEED_PREFIX = "kal_"


class MoveRefused(ConflictError):
    code = "move_refused"


# -- solving -----------------------------------------------------------------------------


# CP-SAT takes a 32-bit random seed; the job stores it in an integer column.
MAX_SEED = 2**31 - 1


def solve_job_start(
    *,
    timetable: Timetable,
    user: User | None,
    mode: str = JobMode.NEW,
    base_version: TimetableVersion | None = None,
    time_limit: int = 30,
    seed: int = 0,
    workers: int = 0,
    optimize: bool = True,
) -> SolveJob:
    """Queue a solve. The task starts after the transaction commits (the worker must see the
    job row); with the immediate backend it runs right there."""
    fields: dict[str, Any] = {}
    if not 1 <= time_limit <= MAX_TIME_LIMIT:
        fields["time_limit"] = _("Tidsgrensen må være mellom 1 og %(max)s sekunder.") % {
            "max": MAX_TIME_LIMIT
        }
    if not 0 <= workers <= 64:
        fields["workers"] = _("Antall tråder må være mellom 0 (alle) og 64.")
    if not 0 <= seed <= MAX_SEED:
        fields["seed"] = _("Frøet må være et helt tall fra 0 til %(max)s.") % {"max": MAX_SEED}
    if mode not in JobMode.values:
        fields["mode"] = _("Ukjent måte å legge timeplanen på.")
    if mode == JobMode.REPAIR and base_version is None:
        fields["base_version"] = _("Velg versjonen som skal repareres.")
    if base_version is not None and base_version.timetable_id != timetable.pk:
        fields["base_version"] = _("Versjonen hører til en annen timeplan.")
    if fields:
        raise DomainError(_("Timeplanen kan ikke legges."), code="invalid", fields=fields)
    if not timetable.lessons.exists():
        raise DomainError(
            _("Timeplanen har ingen timer ennå. Lag grunnlaget først."), code="no_lessons"
        )
    with transaction.atomic():
        Timetable.objects.select_for_update().only("pk").get(pk=timetable.pk)
        running = timetable.jobs.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        _fail_stale(running)
        if running.exists():
            raise ConflictError(
                _("En timeplan legges allerede for denne skolen. Vent til den er ferdig."),
                code="job_running",
            )
        job = SolveJob.objects.create(
            timetable=timetable,
            mode=mode,
            base_version=base_version,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            optimize=optimize,
            created_by=user,
            created_at=clock.now(),
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


STALE_AFTER = dt.timedelta(minutes=10)


def _fail_stale(jobs: QuerySet[SolveJob]) -> None:
    """A job the worker never finished (it was stopped) must not block the school forever."""
    now = clock.now()
    for job in jobs.all():  # a copy: the caller asks the queryset again afterwards
        since = job.started_at or job.created_at
        if since + dt.timedelta(seconds=job.time_limit) + STALE_AFTER < now:
            SolveJob.objects.filter(pk=job.pk).update(
                status=JobStatus.FAILED,
                finished_at=now,
                message="stopped: no result within the time limit and ten minutes",
            )


def _enqueue(job_id: int) -> None:
    from oppvekst.timetable.tasks import solve_timetable

    solve_timetable.enqueue(job_id=job_id)


@dataclass
class _Live:
    latest: Progress | None = None
    written: Progress | None = None
    result: Any = None
    error: str = ""
    started: float = field(default_factory=time.monotonic)
    solutions_before: int = 0
    done: threading.Event = field(default_factory=threading.Event)


def solve_job_restarted(key: str, *, retry: bool) -> None:
    """The jobs reaper's hook: a solve whose worker died starts again (the people waiting are
    told); an administrator's retry queues a failed solve again."""
    if retry:
        SolveJob.objects.filter(pk=int(key), status=JobStatus.FAILED).update(
            status=JobStatus.QUEUED, message="", finished_at=None
        )
        return
    SolveJob.objects.filter(pk=int(key), status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        message=_("Restartet etter avbrudd. Timeplanen legges på nytt.")
    )


def solve_job_run(job_id: int) -> str:
    """The background task: solve, write progress to the job row, store a new draft. Runs
    under a job lease: a solve whose worker died is taken over and solved again."""
    with jobs.lease(
        kind="timetable.solve",
        key=job_id,
        task="oppvekst.timetable.tasks.solve_timetable",
        kwargs={"job_id": job_id},
        restart_hook="oppvekst.timetable.services.solve_job_restarted",
        label=f"Timeplan, jobb {job_id}",
    ) as lease:
        if lease is None:
            return "skipped"
        claimed = SolveJob.objects.filter(
            pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ).update(status=JobStatus.RUNNING, started_at=clock.now())
        if not claimed:
            return "skipped"
        job = SolveJob.objects.select_related("timetable", "base_version").get(pk=job_id)
        try:
            return _solve(job, lease)
        except (jobs.LeaseLost, OperationalError, InterfaceError):
            raise  # another worker solves it, or it runs again when the database is back
        except Exception:  # noqa: BLE001 - a failed solve is recorded on the job, never lost
            SolveJob.objects.filter(pk=job_id).update(
                status=JobStatus.FAILED,
                finished_at=clock.now(),
                message=traceback.format_exc(limit=3)[-2000:],
            )
            return JobStatus.FAILED


def _solve(job: SolveJob, lease: jobs.Lease) -> str:
    # OR-Tools (with numpy and pandas) takes seconds to import: only the background worker that
    # solves pays for it, not every web worker (docs/decisions/0003-serving.md).
    from oppvekst.timetable.engine.solver import SolveOptions

    timetable = job.timetable
    base = (
        list(LessonPlacement.objects.filter(version=job.base_version))
        if job.base_version is not None
        else []
    )
    locked = {p.lesson_id: p for p in base if p.locked}
    built = build_instance(
        timetable,
        locked_rooms={p.lesson_id: p.room_id for p in locked.values() if p.room_id is not None},
    )
    base_solution = solution_from_placements(base) if base else None
    live = _Live()

    def progress(p: Progress) -> None:
        live.latest = p

    locked_at = {
        lesson_id: m.Placement(p.day, p.period, room_key(p.room_id) if p.room_id else None)
        for lesson_id, p in locked.items()
        if lesson_id in built.lessons
    }
    started = time.monotonic()

    def options(limit: float, fixed: dict[int, m.Placement], explain: bool) -> SolveOptions:
        return SolveOptions(
            time_limit=limit,
            seed=job.seed,
            workers=job.workers,
            hint=base_solution if job.mode == JobMode.NEW else None,
            locked=fixed,
            previous=base_solution if job.mode == JobMode.REPAIR else None,
            progress=progress,
            optimize=job.optimize,
            explain=explain,
            explain_time_limit=min(20.0, max(2.0, limit / 2)),
        )

    result: SolveResult | None = None
    if job.mode == JobMode.REPAIR and base_solution is not None:
        # Repair first in the neighbourhood of what broke: the lessons that now clash or meet
        # a new unavailability, every lesson of their teachers and classes, and every lesson
        # of *their* teachers and classes (one ring is too tight when pupils may have no
        # gaps). The rest stays where it is. Only if that fails is the whole week opened up.
        broken = broken_activities(built.instance, base_solution)
        if broken:
            ring = neighbourhood(built.instance, broken)
            free = neighbourhood(built.instance, ring) - set(locked_at)
            fixed = dict(locked_at)
            for lesson_id, placement in base_solution.placements.items():
                if lesson_id not in free and lesson_id in built.lessons:
                    fixed[lesson_id] = placement
            small = build_instance(
                timetable,
                locked_rooms={
                    lesson_id: room_id
                    for lesson_id, p in fixed.items()
                    if (room_id := room_id_of(p.room)) is not None
                },
            )
            first = _run_solver(job, small, options(job.time_limit / 2, fixed, False), live)
            if first.status == "solved":
                result = first
    if result is None:
        remaining = max(1.0, job.time_limit - (time.monotonic() - started))
        result = _run_solver(job, built, options(remaining, locked_at, True), live)
    now = clock.now()
    if result.status == "solved" and result.solution is not None:
        hard, soft, _details = verify(built.instance, result.solution)
        # The new version and the job's result in one transaction, under the lease: a kill
        # between them cannot leave a version whose job runs (and stores one) again.
        with transaction.atomic():
            lease.confirm()
            if (
                not SolveJob.objects.select_for_update()
                .filter(pk=job.pk, status=JobStatus.RUNNING)
                .exists()
            ):
                return "skipped"
            version = _store_version(
                timetable,
                result.solution,
                user_id=job.created_by_id,
                based_on=job.base_version,
                locked=set(locked),
                hard=hard,
                soft=soft,
            )
            SolveJob.objects.filter(pk=job.pk).update(
                status=JobStatus.SOLVED,
                result_version=version,
                solutions=live.solutions_before + result.solutions,
                best_penalty=result.soft_penalty,
                best_bound=result.best_bound,
                hard_violations=hard,
                elapsed=time.monotonic() - live.started,
                finished_at=now,
                message="",
            )
        return JobStatus.SOLVED
    if result.status == "infeasible":
        conflict = [built.describe(name) for name in result.conflict]
        SolveJob.objects.filter(pk=job.pk).update(
            status=JobStatus.INFEASIBLE,
            conflict=conflict,
            elapsed=time.monotonic() - live.started,
            finished_at=now,
            message=_("Reglene kan ikke oppfylles samtidig."),
        )
        return JobStatus.INFEASIBLE
    SolveJob.objects.filter(pk=job.pk).update(
        status=JobStatus.UNSOLVED,
        elapsed=time.monotonic() - live.started,
        finished_at=now,
        message=_("Fant ingen timeplan innen tidsgrensen. Prøv med lengre tid."),
    )
    return JobStatus.UNSOLVED


def _run_solver(job: SolveJob, built: Built, options: SolveOptions, live: _Live) -> SolveResult:
    """Solve in a thread while this (the task's) thread writes the progress to the job row, so
    only one database connection is used, inside or outside a transaction."""
    live.done.clear()
    live.result = None
    if live.written is not None:
        live.solutions_before += live.written.solutions
    live.latest = live.written = None

    from oppvekst.timetable.engine.solver import solve

    def run() -> None:
        try:
            live.result = solve(built.instance, options)
        except Exception:  # noqa: BLE001 - reported by the main thread
            live.error = traceback.format_exc(limit=3)[-2000:]
        finally:
            live.done.set()

    thread = threading.Thread(target=run, name=f"timetable-solve-{job.pk}", daemon=True)
    thread.start()
    while not live.done.wait(PROGRESS_INTERVAL):
        _write_progress(job, live)
    thread.join()
    _write_progress(job, live)
    if live.error:
        raise RuntimeError(live.error)
    result: SolveResult = live.result
    return result


def _write_progress(job: SolveJob, live: _Live) -> None:
    """The latest solver progress, or at least the time spent, onto the job row."""
    p = live.latest
    elapsed = time.monotonic() - live.started
    if p is None or p is live.written:
        SolveJob.objects.filter(pk=job.pk).update(elapsed=elapsed)
        return
    live.written = p
    SolveJob.objects.filter(pk=job.pk).update(
        solutions=live.solutions_before + p.solutions,
        best_penalty=p.soft_penalty,
        best_bound=p.best_bound,
        elapsed=elapsed,
    )


def _store_version(
    timetable: Timetable,
    solution: m.Solution,
    *,
    user_id: int | None,
    based_on: TimetableVersion | None,
    locked: set[int],
    hard: int,
    soft: float,
) -> TimetableVersion:
    with transaction.atomic():
        Timetable.objects.select_for_update().only("pk").get(pk=timetable.pk)
        number = (timetable.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = TimetableVersion.objects.create(
            timetable=timetable,
            number=number,
            created_at=clock.now(),
            created_by_id=user_id,
            based_on=based_on,
            hard_violations=hard,
            soft_penalty=soft,
        )
        LessonPlacement.objects.bulk_create(
            [
                LessonPlacement(
                    version=version,
                    lesson_id=lesson_id,
                    day=p.day,
                    period=p.hour,
                    room_id=room_id_of(p.room),
                    locked=lesson_id in locked,
                )
                for lesson_id, p in sorted(solution.placements.items())
            ]
        )
        task_sources.draft_ready(timetable, version)
    return version


# -- moving and locking lessons by hand ------------------------------------------------


@dataclass
class MoveOutcome:
    placement: LessonPlacement
    revision: int
    hard_violations: int
    soft_penalty: float
    warnings: list[str]
    swapped_with: str | None = None


def _draft_for_update(version_id: int, revision: int | None) -> TimetableVersion:
    version = (
        TimetableVersion.objects.select_for_update()
        .select_related("timetable")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotFoundError(_("Fant ikke timeplanversjonen."))
    if version.status != VersionStatus.DRAFT:
        raise ConflictError(
            _("Bare utkast kan endres. Legg et nytt utkast for å endre en publisert timeplan."),
            code="not_draft",
        )
    if revision is not None and revision != version.revision:
        raise ConflictError(
            _("Timeplanen er endret av noen andre siden du åpnet den. Last siden på nytt."),
            code="stale_revision",
        )
    return version


def placement_move(
    *,
    version_id: int,
    placement_id: int,
    day: int,
    period: int,
    revision: int | None = None,
) -> MoveOutcome:
    """Move one lesson of a draft; onto a lesson of the same length that can trade places
    with it, the two swap. Refused (nothing changes) when it would clash."""
    with transaction.atomic():
        version = _draft_for_update(version_id, revision)
        placements = list(LessonPlacement.objects.filter(version=version))
        placement = next((p for p in placements if p.pk == placement_id), None)
        if placement is None:
            raise NotFoundError(_("Fant ikke timen i denne versjonen."))
        built = build_instance(version.timetable)
        before = solution_from_placements(placements)
        locked = {p.lesson_id for p in placements if p.locked}
        plan = plan_move(built, before, placement.lesson_id, day, period, locked=locked)
        if not plan.ok:
            raise MoveRefused(refusal_message(built, placement.lesson_id, plan.check))
        after = apply_plan(before, plan)
        warnings = new_hard_violations(built, before, after)
        hard, soft, _details = verify(built.instance, after)
        by_lesson = {p.lesson_id: p for p in placements}
        for lesson_id, check in plan.changes:
            row = by_lesson[lesson_id]
            row.day, row.period, row.room_id = check.day, check.hour, room_id_of(check.room)
            row.save(update_fields=["day", "period", "room"])
        version.revision += 1
        version.hard_violations = hard
        version.soft_penalty = soft
        version.save(update_fields=["revision", "hard_violations", "soft_penalty"])
        swapped = built.lesson_name(plan.swap_with) if plan.swap_with is not None else None
        return MoveOutcome(placement, version.revision, hard, soft, warnings, swapped)


def placement_set_locked(
    *, version_id: int, placement_id: int, locked: bool, revision: int | None = None
) -> TimetableVersion:
    with transaction.atomic():
        version = _draft_for_update(version_id, revision)
        updated = LessonPlacement.objects.filter(version=version, pk=placement_id).update(
            locked=locked
        )
        if not updated:
            raise NotFoundError(_("Fant ikke timen i denne versjonen."))
        version.revision += 1
        version.save(update_fields=["revision"])
        return version


def version_publish(*, version_id: int, user: User | None) -> TimetableVersion:
    """Publish a draft: pupils, guardians and teachers see it; the earlier one is archived."""
    with transaction.atomic():
        version = _draft_for_update(version_id, None)
        Timetable.objects.select_for_update().only("pk").get(pk=version.timetable_id)
        built = build_instance(version.timetable)
        placements = list(LessonPlacement.objects.filter(version=version))
        hard, soft, _details = verify(built.instance, solution_from_placements(placements))
        if hard:
            raise ConflictError(
                ngettext(
                    "Timeplanen bryter %(n)s absolutt regel og kan ikke publiseres. "
                    "Rett den først, for eksempel med «Reparer».",
                    "Timeplanen bryter %(n)s absolutte regler og kan ikke publiseres. "
                    "Rett dem først, for eksempel med «Reparer».",
                    hard,
                )
                % {"n": hard},
                code="hard_violations",
            )
        TimetableVersion.objects.filter(
            timetable_id=version.timetable_id, status=VersionStatus.PUBLISHED
        ).update(status=VersionStatus.ARCHIVED)
        version.status = VersionStatus.PUBLISHED
        version.published_at = clock.now()
        version.published_by = user
        version.hard_violations = hard
        version.soft_penalty = soft
        version.revision += 1
        version.save(
            update_fields=[
                "status",
                "published_at",
                "published_by",
                "hard_violations",
                "soft_penalty",
                "revision",
            ]
        )
        task_sources.published(version.timetable_id)
        return version


# -- rules (constraints) -----------------------------------------------------------------


def teacher_unavailable_add(
    *,
    timetable: Timetable,
    teacher: Employment,
    slots: list[tuple[int, int]],
    hard: bool = True,
    weight: int = 100,
    note: str = "",
) -> TimetableConstraint:
    periods = {p.index: p for p in timetable.periods.all()}
    fields: dict[str, Any] = {}
    if teacher.unit_id != timetable.unit_id:
        fields["teacher"] = _("Læreren arbeider ikke ved denne skolen.")
    bad = [s for s in slots if not (0 <= s[0] < timetable.days and s[1] in periods)]
    if not slots or bad:
        fields["slots"] = _("Velg dager og timer i skoledagen.")
    if not hard and not 1 <= weight <= 99:
        fields["weight"] = _("Vekten må være mellom 1 og 99 for en ønsket regel.")
    if fields:
        raise DomainError(_("Regelen kan ikke lagres."), code="invalid", fields=fields)
    with transaction.atomic():
        Timetable.objects.select_for_update().only("pk").get(pk=timetable.pk)
        rule = TimetableConstraint.objects.create(
            timetable=timetable,
            kind=ConstraintKind.TEACHER_UNAVAILABLE,
            teacher=teacher,
            slots=[list(s) for s in sorted(set(slots))],
            hard=hard,
            weight=100 if hard else weight,
            note=note[:200],
        )
        Timetable.objects.filter(pk=timetable.pk).update(revision=timetable.revision + 1)
    return rule


def constraint_delete(*, rule: TimetableConstraint) -> None:
    with transaction.atomic():
        Timetable.objects.select_for_update().only("pk").get(pk=rule.timetable_id)
        rule.delete()


# -- calendar feeds --------------------------------------------------------------------


def feed_token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def feed_token(feed: CalendarFeed) -> str:
    """The secret part of the feed's URL, derived from the server secret and the feed's salt."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"calendar-feed:{feed.salt}".encode(), hashlib.sha256
    ).digest()
    return FEED_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]


def feed_create(
    *,
    actor: Actor,
    user: User,
    kind: str,
    group: Group | None = None,
    teacher: Employment | None = None,
    room: Room | None = None,
    pupil: Person | None = None,
) -> CalendarFeed:
    """A new secret feed URL (`feed_token`). The owner must be allowed to read what the feed
    shows, now and at every later read."""
    target = _feed_target(actor, kind, group, teacher, room, pupil)
    if target is None:
        raise NotFoundError(_("Fant ikke timeplanen."))
    unit_id, label = target
    feed = CalendarFeed(
        kind=kind,
        unit_id=unit_id,
        group=group if kind == FeedKind.CLASS else None,
        teacher=teacher if kind == FeedKind.TEACHER else None,
        room=room if kind == FeedKind.ROOM else None,
        pupil=pupil if kind == FeedKind.PUPIL else None,
        owner=user,
        label=label[:150],
        salt=secrets.token_hex(16),
        created_at=clock.now(),
    )
    token = feed_token(feed)
    feed.token_hash = feed_token_hash(token)
    feed.prefix = token[:12]
    feed.save()
    return feed


def _feed_target(
    actor: Actor,
    kind: str,
    group: Group | None,
    teacher: Employment | None,
    room: Room | None,
    pupil: Person | None,
) -> tuple[int, str] | None:
    """(school unit id, label) when the actor may read what such a feed shows, else None."""
    if kind == FeedKind.CLASS and group is not None:
        if can(actor, TimetableAction.READ_CLASS, group):
            return group.unit_id, _("Timeplan %(name)s") % {"name": group.name}
    elif kind == FeedKind.TEACHER and teacher is not None and teacher.unit_id is not None:
        assert teacher.unit is not None
        own = actor.person is not None and teacher.person_id == actor.person.pk
        if (own and can(actor, TimetableAction.READ, teacher.unit)) or can(
            actor, TimetableAction.EDIT, teacher.unit
        ):
            return teacher.unit_id, _("Timeplan %(name)s") % {"name": teacher.person.full_name}
    elif kind == FeedKind.ROOM and room is not None:
        if can(actor, TimetableAction.READ, room.timetable.unit):
            return room.timetable.unit_id, _("Timeplan %(name)s") % {"name": room.name}
    elif kind == FeedKind.PUPIL and pupil is not None:
        unit_id = _pupil_school(pupil, actor)
        if unit_id is not None and can(actor, TimetableAction.READ_PUPIL, pupil):
            return unit_id, _("Timeplan %(name)s") % {"name": pupil.first_name}
    return None


def feed_allowed(feed: CalendarFeed, owner: Actor) -> bool:
    """Does the feed's owner still have the right to what it shows? (Checked at every read:
    when a guardianship or an employment ends, the feed stops.)"""
    return (
        _feed_target(owner, feed.kind, feed.group, feed.teacher, feed.room, feed.pupil) is not None
    )


def _pupil_school(pupil: Person, actor: Actor) -> int | None:
    from oppvekst.placements.models import Placement, Service

    placement = (
        Placement.objects.not_ended_by(actor.day)
        .filter(child=pupil, service=Service.SCHOOL)
        .order_by("valid_from")
        .first()
    )
    return placement.unit_id if placement is not None else None


def feed_revoke(*, feed: CalendarFeed) -> None:
    CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(revoked_at=clock.now())


def feed_lookup(plaintext: str) -> CalendarFeed | None:
    if not plaintext.startswith(FEED_PREFIX):
        return None
    return (
        CalendarFeed.objects.select_related(
            "owner", "unit", "group", "teacher__unit", "teacher__person", "room__timetable__unit"
        )
        # A deactivated account's feeds stop with it, like its sessions and tokens.
        .filter(
            token_hash=feed_token_hash(plaintext),
            revoked_at__isnull=True,
            owner__is_active=True,
        )
        .first()
    )


__all__ = [
    "MoveOutcome",
    "MoveRefused",
    "constraint_delete",
    "feed_allowed",
    "feed_create",
    "feed_lookup",
    "feed_revoke",
    "placement_move",
    "placement_set_locked",
    "solve_job_run",
    "solve_job_start",
    "teacher_key",
    "teacher_unavailable_add",
    "version_publish",
]
