from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "oppvekst.timetable"
    label = "timetable"
