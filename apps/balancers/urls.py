"""Load balancer pages (included at the site root, before the inventory's routes)."""

from django.urls import path

from . import views

urlpatterns = [
    path("datacenters/<str:dc>/load-balancers/", views.balancer_list, name="datacenter-balancers"),
    path("datacenters/<str:dc>/load-balancers/<str:lb_id>/", views.balancer_detail, name="balancer"),
    path(
        "datacenters/<str:dc>/load-balancers/<str:lb_id>/pools/<str:pool_id>/",
        views.pool_detail,
        name="balancer-pool",
    ),
]
