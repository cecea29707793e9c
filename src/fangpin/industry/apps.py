from django.apps import AppConfig


class IndustryConfig(AppConfig):
    name = "fangpin.industry"
    verbose_name = "产业帮扶台账"
