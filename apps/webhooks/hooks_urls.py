"""``/hooks/clc/<secret>/<event>/``: the receiver the cloud delivers to."""

from django.urls import path

from . import receiver

urlpatterns = [path("<str:secret>/<str:event>/", receiver.receive, name="webhook-receiver")]
