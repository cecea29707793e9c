from django.apps import AppConfig


class ConsumptionConfig(AppConfig):
    name = "fangpin.consumption"
    verbose_name = "消费帮扶"
