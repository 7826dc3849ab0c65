from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "oppvekst.outbox"
    label = "outbox"
