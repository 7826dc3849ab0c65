from django.apps import AppConfig


class AdmissionConfig(AppConfig):
    name = "oppvekst.admission"
    label = "admission"
