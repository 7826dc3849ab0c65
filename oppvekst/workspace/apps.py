from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "oppvekst.workspace"
    label = "workspace"
