from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "fangpin.registry"
    label = "registry"
    verbose_name = "户籍信息"

    def ready(self):
        from . import tallies

        tallies.connect()
