from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "oppvekst.access"
    label = "access"
