from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "fangpin.policies"
    label = "policies"
    verbose_name = "政策目录"
