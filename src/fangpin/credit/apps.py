from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "fangpin.credit"
    verbose_name = "小额信贷"
