"""Network pages: the index, a data center's networks (a tab of its page), one network, the data
center's firewall policies. Changes go through the action registry's pages (``actions.py``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("networks/", views.networks_index, name="networks"),
    path("datacenters/<str:dc>/networks/", views.datacenter_networks, name="datacenter-networks"),
    path("datacenters/<str:dc>/networks/<str:network_id>/", views.network, name="network"),
    path("datacenters/<str:dc>/firewall/", views.datacenter_firewall, name="datacenter-firewall"),
]
