from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "oppvekst.attendance"
    label = "attendance"
