from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "fangpin.employment"
    verbose_name = "就业与公益岗位"
