from django.apps import AppConfig


class RecipesConfig(AppConfig):
    name = "apps.recipes"
    label = "recipes"
    verbose_name = "Server recipes"
    default_auto_field = "django.db.models.BigAutoField"
