from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "oppvekst.reports"
    label = "reports"
