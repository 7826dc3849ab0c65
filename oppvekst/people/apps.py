from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "oppvekst.people"
    label = "people"
