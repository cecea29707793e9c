from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "fangpin.web"
    label = "web"
    verbose_name = "页面"
