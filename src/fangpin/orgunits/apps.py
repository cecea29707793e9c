from django.apps import AppConfig


class OrgUnitsConfig(AppConfig):
    name = "fangpin.orgunits"
    label = "orgunits"
    verbose_name = "行政区划"
