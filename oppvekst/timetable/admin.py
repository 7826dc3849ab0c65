"""Administration of timetable settings (system administrators). Pupil memberships of
teaching groups and calendar tokens are left out: they are personal data or secrets."""

from __future__ import annotations

from django.contrib import admin

from oppvekst.timetable.models import (
    Course,
    GradeHours,
    Period,
    Room,
    Subject,
    Timetable,
    TimetableConstraint,
)


class PeriodInline(admin.TabularInline):
    model = Period
    extra = 0


@admin.register(Timetable)
class TimetableAdmin(admin.ModelAdmin):
    list_display = ("unit", "school_year", "generated_at")
    list_select_related = ("unit", "school_year")
    readonly_fields = ("generated_at", "revision", "notes")
    inlines = [PeriodInline]


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "grep_code", "colour", "room_kind", "timetable")
    list_select_related = (
        "timetable__unit",
        "timetable__school_year",
    )
    list_filter = ("room_kind",)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "capacity", "timetable")
    list_select_related = (
        "timetable__unit",
        "timetable__school_year",
    )
    list_filter = ("kind",)
    raw_id_fields = ("home_of",)


@admin.register(GradeHours)
class GradeHoursAdmin(admin.ModelAdmin):
    list_display = ("timetable", "grade", "subject", "lessons")
    list_select_related = ("timetable__unit", "timetable__school_year", "subject")


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("subject", "group", "room_kind", "parallel_key", "timetable")
    list_select_related = ("subject", "group", "timetable__unit", "timetable__school_year")
    raw_id_fields = ("teachers", "group", "subject")


@admin.register(TimetableConstraint)
class TimetableConstraintAdmin(admin.ModelAdmin):
    list_display = ("kind", "hard", "weight", "active", "timetable")
    list_select_related = (
        "timetable__unit",
        "timetable__school_year",
    )
    list_filter = ("kind", "hard", "active")
    raw_id_fields = ("teacher", "group", "room", "course")
