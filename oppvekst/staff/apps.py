from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "oppvekst.staff"
    label = "staff"
