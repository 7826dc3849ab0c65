from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "oppvekst.portal"
    label = "portal"
