from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "fangpin.rectification"
    verbose_name = "问题整改"
