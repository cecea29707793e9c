from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "fangpin.ledgers"
    verbose_name = "台账"
