from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "oppvekst.demo"
    label = "demo"
