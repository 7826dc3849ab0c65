from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "oppvekst.core"
    label = "core"
