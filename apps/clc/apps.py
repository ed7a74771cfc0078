from django.apps import AppConfig


class ClcConfig(AppConfig):
    name = "apps.clc"
    label = "clc"
