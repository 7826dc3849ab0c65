from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "oppvekst.attendance"
    label = "attendance"

    def ready(self) -> None:
        # Until the access registry exists, the app's rules are added to the one decision
        # engine at start-up (DESIGN.md "Access": each app declares its own actions).
        from oppvekst.attendance import rules

        rules.register()
