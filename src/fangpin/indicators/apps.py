from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "fangpin.indicators"
    verbose_name = "考核指标"
