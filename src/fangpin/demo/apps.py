from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "fangpin.demo"
    label = "demo"
    verbose_name = "演示数据"
