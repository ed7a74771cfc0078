from django.urls import path

from . import views

urlpatterns = [
    path("", views.recipe_list, name="recipes"),
    path("new/", views.recipe_new, name="recipe-new"),
    path("<int:recipe_id>/", views.recipe_detail, name="recipe-detail"),
    path("<int:recipe_id>/edit/", views.recipe_edit, name="recipe-edit"),
    path("<int:recipe_id>/delete/", views.recipe_delete, name="recipe-delete"),
    path("<int:recipe_id>/launch/", views.recipe_launch, name="recipe-launch"),
]
