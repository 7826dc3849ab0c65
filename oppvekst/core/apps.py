from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "oppvekst.core"
    label = "core"

    def ready(self) -> None:
        from oppvekst.core.admin_names import apply_names, hide_unused_admin

        apply_names()
        hide_unused_admin()
