from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _refresh_statistics(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from oppvekst.dbutils import statistics_refresh

    statistics_refresh(using)


class CoreConfig(AppConfig):
    name = "oppvekst.core"
    label = "core"

    def ready(self) -> None:
        # Once per migrate (post_migrate is sent per app; this one is core's), after every
        # migration has run: the planners then know the table sizes
        # (docs/decisions/0003-serving.md).
        post_migrate.connect(
            _refresh_statistics, sender=self, dispatch_uid="oppvekst.core.statistics"
        )

        from oppvekst.core.admin_names import apply_names, hide_unused_admin

        apply_names()
        hide_unused_admin()
