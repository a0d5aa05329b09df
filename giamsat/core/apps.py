from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "giamsat.core"
    label = "core"
    verbose_name = "Core"
