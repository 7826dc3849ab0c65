"""Timetables in the database: per school and school year the bell schedule, subjects, rooms,
teaching groups, courses and their weekly lessons, constraints and the subject-hours table;
versions (draft/published) with placed lessons; solve jobs; calendar feeds.

The pure model (oppvekst/timetable/model.py) is built from these rows by
oppvekst/timetable/adapters.py; the solver never sees the database.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

DAY_NAMES = (_("Mandag"), _("Tirsdag"), _("Onsdag"), _("Torsdag"), _("Fredag"))


class RoomKind(models.TextChoices):
    ORDINARY = "ordinary", _("Klasserom")
    GYM = "gym", _("Gymsal")
    SCIENCE = "science", _("Naturfagrom")
    MUSIC = "music", _("Musikkrom")
    ARTS_CRAFTS = "arts_crafts", _("Kunst og håndverk-rom")
    KITCHEN = "kitchen", _("Skolekjøkken")


class Colour(models.TextChoices):
    """A fixed palette (the CSP forbids inline styles; each colour is a CSS class)."""

    BLUE = "blue", _("Blå")
    RED = "red", _("Rød")
    INDIGO = "indigo", _("Indigo")
    GREEN = "green", _("Grønn")
    ORANGE = "orange", _("Oransje")
    PURPLE = "purple", _("Lilla")
    PINK = "pink", _("Rosa")
    YELLOW = "yellow", _("Gul")
    BROWN = "brown", _("Brun")
    TEAL = "teal", _("Blågrønn")
    LIME = "lime", _("Limegrønn")
    GREY = "grey", _("Grå")
    CYAN = "cyan", _("Turkis")
    OLIVE = "olive", _("Oliven")


class Timetable(models.Model):
    """Everything a school's timetable for one school year is built from."""

    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="timetables", verbose_name=_("skole")
    )
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    school_year = models.ForeignKey(
        "core.SchoolYear", on_delete=models.PROTECT, related_name="+", verbose_name=_("skoleår")
    )
    days = models.PositiveSmallIntegerField(_("skoledager i uka"), default=5)
    generated_at = models.DateTimeField(_("grunnlag laget"), null=True, blank=True)
    # Warnings from generating the model (teacher shortage, missing rooms ...), shown on the page.
    notes = models.JSONField(default=list, blank=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("timeplan")
        verbose_name_plural = _("timeplaner")
        ordering = ["unit__name", "school_year__start_year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "school_year"], name="timetable_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.school_year}"


class Period(models.Model):
    """One row of the bell schedule: a lesson period or a break (no lessons)."""

    timetable = models.ForeignKey(Timetable, on_delete=models.CASCADE, related_name="periods")
    index = models.PositiveSmallIntegerField()
    label = models.CharField(_("navn"), max_length=30)
    starts = models.TimeField(_("starter"))
    ends = models.TimeField(_("slutter"))
    is_break = models.BooleanField(_("friminutt/pause"), default=False)

    class Meta:
        ordering = ["timetable_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["timetable", "index"], name="period_unique_index"),
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.starts:%H:%M}–{self.ends:%H:%M}"


class Subject(models.Model):
    timetable = models.ForeignKey(Timetable, on_delete=models.CASCADE, related_name="subjects")
    code = models.CharField(_("kode"), max_length=10)
    grep_code = models.CharField(_("læreplankode (Grep)"), max_length=20, blank=True)
    name = models.CharField(_("navn"), max_length=100)
    colour = models.CharField(_("farge"), max_length=10, choices=Colour.choices)
    room_kind = models.CharField(
        _("romtype"), max_length=20, choices=RoomKind.choices, default=RoomKind.ORDINARY
    )
    double_lessons = models.BooleanField(_("dobbelttimer"), default=False)

    class Meta:
        verbose_name = _("fag")
        verbose_name_plural = _("fag")
        ordering = ["timetable_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["timetable", "code"], name="subject_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    timetable = models.ForeignKey(Timetable, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("navn"), max_length=60)
    kind = models.CharField(_("romtype"), max_length=20, choices=RoomKind.choices)
    capacity = models.PositiveSmallIntegerField(_("plasser"), null=True, blank=True)
    home_of = models.ForeignKey(
        "core.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("klasserom for"),
    )

    class Meta:
        verbose_name = _("rom")
        verbose_name_plural = _("rom")
        ordering = ["timetable_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["timetable", "name"], name="room_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class TeachingGroupKind(models.TextChoices):
    CLASS = "class", _("Hel klasse")
    SPLIT = "split", _("Del av en klasse")
    COMBINED = "combined", _("Flere hele klasser")
    ELECTIVE = "elective", _("Valggruppe på tvers av klasser")


class TeachingGroup(models.Model):
    """Who is taught together. `division` names a partition of each class it draws from: the
    groups of one division (for example «Valgfag 8–10») split every class among them."""

    timetable = models.ForeignKey(
        Timetable, on_delete=models.CASCADE, related_name="teaching_groups"
    )
    name = models.CharField(_("navn"), max_length=80)
    kind = models.CharField(_("type"), max_length=20, choices=TeachingGroupKind.choices)
    division = models.CharField(_("inndeling"), max_length=60, blank=True)
    classes = models.ManyToManyField("core.Group", related_name="+", verbose_name=_("klasser"))
    members = models.ManyToManyField(
        "people.Person", blank=True, related_name="+", verbose_name=_("elever")
    )
    size = models.PositiveSmallIntegerField(_("elever"), default=0)

    class Meta:
        verbose_name = _("undervisningsgruppe")
        verbose_name_plural = _("undervisningsgrupper")
        ordering = ["timetable_id", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["class", "combined"], division="")
                | (Q(kind__in=["split", "elective"]) & ~Q(division="")),
                name="teaching_group_division",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    """A subject taught to one teaching group by its teachers, `lessons` times a week."""

    timetable = models.ForeignKey(Timetable, on_delete=models.CASCADE, related_name="courses")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="courses")
    group = models.ForeignKey(TeachingGroup, on_delete=models.CASCADE, related_name="courses")
    teachers = models.ManyToManyField(
        "staff.Employment", blank=True, related_name="+", verbose_name=_("lærere")
    )
    room_kind = models.CharField(
        _("romtype"), max_length=20, choices=RoomKind.choices, default=RoomKind.ORDINARY
    )
    # Lessons of the course on different days (FET's MinDaysBetweenActivities), as a soft rule.
    min_days_apart = models.PositiveSmallIntegerField(_("minst dager mellom"), default=1)
    spread_weight = models.PositiveSmallIntegerField(_("vekt for spredning"), default=95)
    # Courses with the same key run at the same time (parallel groups, elective blocks).
    parallel_key = models.CharField(_("parallell med"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("fag for gruppe")
        verbose_name_plural = _("fag for grupper")
        ordering = ["timetable_id", "group__name", "subject__code"]

    def __str__(self) -> str:
        return f"{self.subject.code} {self.group.name}"


class Lesson(models.Model):
    """One weekly lesson of a course (FET's activity): a single or a double period."""

    timetable = models.ForeignKey(Timetable, on_delete=models.CASCADE, related_name="lessons")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    number = models.PositiveSmallIntegerField(default=1)
    duration = models.PositiveSmallIntegerField(_("varighet (timer)"), default=1)

    class Meta:
        verbose_name = _("undervisningstime")
        verbose_name_plural = _("undervisningstimer")
        ordering = ["course_id", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__gte=1, duration__lte=3), name="lesson_duration"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} #{self.number}"


class GradeHours(models.Model):
    """Fag- og timefordeling: weekly lessons per subject and grade (seeded from
    fag_og_timefordeling.json, editable per school)."""

    timetable = models.ForeignKey(Timetable, on_delete=models.CASCADE, related_name="grade_hours")
    grade = models.PositiveSmallIntegerField(_("trinn"))
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")
    lessons = models.PositiveSmallIntegerField(_("timer i uka"))

    class Meta:
        ordering = ["timetable_id", "grade", "subject__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["timetable", "grade", "subject"], name="grade_hours_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grade}. trinn {self.subject_id}: {self.lessons}"


class ConstraintKind(models.TextChoices):
    TEACHER_UNAVAILABLE = "teacher_unavailable", _("Lærer er ikke tilgjengelig")
    CLASS_UNAVAILABLE = "class_unavailable", _("Gruppe er ikke tilgjengelig")
    ROOM_UNAVAILABLE = "room_unavailable", _("Rom er ikke tilgjengelig")
    TEACHER_MAX_PER_DAY = "teacher_max_per_day", _("Lærer har høyst så mange timer per dag")
    CLASS_MAX_PER_DAY = "class_max_per_day", _("Gruppe har høyst så mange timer per dag")
    CLASS_MIN_PER_DAY = "class_min_per_day", _("Gruppe har minst så mange timer per dag")
    TEACHER_MAX_GAPS = "teacher_max_gaps", _("Lærer har høyst så mange hull i uka")
    CLASS_NO_GAPS = "class_no_gaps", _("Ingen hull for elevene")
    CLASS_EARLY_START = "class_early_start", _("Elevene begynner i første time")
    COURSE_PREFERRED_TIMES = "course_preferred_times", _("Faget bør ligge i disse timene")
    COURSE_FORBIDDEN_TIMES = "course_forbidden_times", _("Faget må ikke ligge i disse timene")


class TimetableConstraint(models.Model):
    """A rule for the timetable: hard (must hold) or soft with a weight 1–99 (FET's percent).
    `slots` lists [day, period index] pairs; `value` is the number for max/min rules."""

    timetable = models.ForeignKey(Timetable, on_delete=models.CASCADE, related_name="constraints")
    kind = models.CharField(_("type"), max_length=40, choices=ConstraintKind.choices)
    hard = models.BooleanField(_("absolutt"), default=True)
    weight = models.PositiveSmallIntegerField(_("vekt"), default=100)
    active = models.BooleanField(_("i bruk"), default=True)
    teacher = models.ForeignKey(
        "staff.Employment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        TeachingGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    slots = models.JSONField(default=list, blank=True)
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(_("merknad"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("regel")
        verbose_name_plural = _("regler")
        ordering = ["timetable_id", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100), name="constraint_weight_range"
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    PUBLISHED = "published", _("Publisert")
    ARCHIVED = "archived", _("Arkivert")


class TimetableVersion(models.Model):
    timetable = models.ForeignKey(Timetable, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hard_violations = models.PositiveIntegerField(default=0)
    soft_penalty = models.FloatField(default=0)
    # Optimistic concurrency: every change bumps it; a stale edit is refused.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("timeplanversjon")
        verbose_name_plural = _("timeplanversjoner")
        ordering = ["timetable_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["timetable", "number"], name="version_unique_number"),
            models.UniqueConstraint(
                fields=["timetable"],
                condition=Q(status="published"),
                name="version_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.timetable} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class LessonPlacement(models.Model):
    version = models.ForeignKey(
        TimetableVersion, on_delete=models.CASCADE, related_name="placements"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="placements")
    day = models.PositiveSmallIntegerField()
    period = models.PositiveSmallIntegerField()
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    locked = models.BooleanField(_("låst"), default=False)

    class Meta:
        ordering = ["version_id", "day", "period"]
        constraints = [
            models.UniqueConstraint(fields=["version", "lesson"], name="placement_unique_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.lesson_id} @ {self.day}/{self.period}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Legger timeplan")
    SOLVED = "solved", _("Ferdig")
    UNSOLVED = "unsolved", _("Fant ingen timeplan innen tidsgrensen")
    INFEASIBLE = "infeasible", _("Umulig med disse reglene")
    FAILED = "failed", _("Feilet")


FINISHED_STATUSES = {JobStatus.SOLVED, JobStatus.UNSOLVED, JobStatus.INFEASIBLE, JobStatus.FAILED}


class JobMode(models.TextChoices):
    NEW = "new", _("Ny timeplan")
    REPAIR = "repair", _("Reparer (flytt minst mulig)")


class SolveJob(models.Model):
    timetable = models.ForeignKey(Timetable, on_delete=models.CASCADE, related_name="jobs")
    mode = models.CharField(max_length=20, choices=JobMode.choices, default=JobMode.NEW)
    base_version = models.ForeignKey(
        TimetableVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    result_version = models.ForeignKey(
        TimetableVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    time_limit = models.PositiveIntegerField(_("tidsgrense (sekunder)"), default=30)
    seed = models.PositiveIntegerField(_("frø"), default=0)
    workers = models.PositiveSmallIntegerField(_("tråder"), default=0)
    optimize = models.BooleanField(default=True)
    solutions = models.PositiveIntegerField(default=0)
    best_penalty = models.FloatField(null=True, blank=True)
    best_bound = models.FloatField(null=True, blank=True)
    elapsed = models.FloatField(default=0)
    hard_violations = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    conflict = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.timetable} {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class FeedKind(models.TextChoices):
    CLASS = "class", _("Klasse")
    TEACHER = "teacher", _("Lærer")
    ROOM = "room", _("Rom")
    PUPIL = "pupil", _("Elev")


class CalendarFeed(models.Model):
    """A secret-token iCalendar URL (no login: calendars subscribe to it). Looked up by the
    SHA-256 of the token; revoking ends it at once."""

    kind = models.CharField(max_length=20, choices=FeedKind.choices)
    unit = models.ForeignKey("core.Unit", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(
        "core.Group", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    teacher = models.ForeignKey(
        "staff.Employment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    pupil = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    label = models.CharField(max_length=150)
    # The token is HMAC(SECRET_KEY, salt): the page can show the address again, while the
    # database alone (salt and SHA-256 of the token) does not reveal it.
    salt = models.CharField(max_length=32)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="class", group__isnull=False)
                | Q(kind="teacher", teacher__isnull=False)
                | Q(kind="room", room__isnull=False)
                | Q(kind="pupil", pupil__isnull=False),
                name="feed_has_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"


class OccurrenceChange(models.Model):
    """A change to one dated occurrence of a lesson (the hook for substitutions): cancelled,
    another teacher or another room. Calendar feeds apply it and raise the SEQUENCE."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="changes")
    date = models.DateField()
    cancelled = models.BooleanField(default=False)
    substitute = models.ForeignKey(
        "staff.Employment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    sequence = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=40, blank=True)  # e.g. "substitutes"
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "date"], name="occurrence_change_unique")
        ]

    def __str__(self) -> str:
        return f"{self.lesson_id} {self.date}"
