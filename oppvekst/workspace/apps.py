from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "oppvekst.workspace"
    label = "workspace"

    def ready(self) -> None:
        # Every module's task kinds are known before the first page lists or filters them.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("task_kinds")
