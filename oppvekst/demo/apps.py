from django.apps import AppConfig
from django.conf import settings


class DemoConfig(AppConfig):
    name = "oppvekst.demo"
    label = "demo"

    def ready(self) -> None:
        if settings.DEMO_MODE:
            from oppvekst.access import login_options
            from oppvekst.demo.login import DemoPersonaLogin

            login_options.register(DemoPersonaLogin())
