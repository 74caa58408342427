from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "maintenir.api"
    label = "api"
    verbose_name = "API"
