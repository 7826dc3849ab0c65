from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "oppvekst.billing"
    label = "billing"
