"""Policy pages (included at the site root, before the inventory's routes)."""

from django.urls import path

from . import views

urlpatterns = [
    path("policies/", views.policies, name="policies"),
    path("policies/alert-policies/<str:policy_id>/", views.alert_policy, name="alert-policy"),
    path("policies/anti-affinity/<str:policy_id>/", views.anti_affinity_policy, name="anti-affinity-policy"),
    path("policies/autoscale/<str:policy_id>/", views.autoscale_policy, name="autoscale-policy"),
    path(
        "datacenters/<str:dc>/anti-affinity/", views.datacenter_anti_affinity, name="datacenter-anti-affinity"
    ),
]
