from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "fangpin.payments"
    label = "payments"
    verbose_name = "政策兑现"
