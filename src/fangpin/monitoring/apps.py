from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "fangpin.monitoring"
    label = "monitoring"
    verbose_name = "动态监测"

    def ready(self):
        from . import tallies

        tallies.connect()
