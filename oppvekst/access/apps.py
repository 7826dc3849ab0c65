from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "oppvekst.access"
    label = "access"

    def ready(self) -> None:
        # Every app's actions and rules are registered before the first decision.
        from oppvekst.access import registry

        registry.autodiscover()
