from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "fangpin.funds"
    verbose_name = "衔接资金项目"
