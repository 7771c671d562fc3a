from django.apps import AppConfig


class PmsConfig(AppConfig):
    name = "pms"
    verbose_name = "PMS (request budgets)"
