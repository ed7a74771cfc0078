"""``/api/v1/recipes/`` (included by ``apps.api.urls`` before the inventory routes)."""

from django.urls import path

from . import api

urlpatterns = [
    path("recipes/", api.RecipeListView.as_view(), name="api-recipes"),
    path("recipes/<int:recipe_id>/", api.RecipeDetailView.as_view(), name="api-recipe"),
    path("recipes/<int:recipe_id>/launch/", api.RecipeLaunchView.as_view(), name="api-recipe-launch"),
]
