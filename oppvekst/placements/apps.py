from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "oppvekst.placements"
    label = "placements"
