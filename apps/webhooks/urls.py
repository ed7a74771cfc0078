"""``/webhooks/`` (the page; its actions are the registry's ``webhooks/actions/<name>/``)."""

from django.urls import path

from . import views

urlpatterns = [path("", views.page, name="webhooks")]
