"""``/api/v1/billing/`` (included by ``apps.api.urls``)."""

from django.urls import path

from . import api

urlpatterns = [
    path("billing/invoices/<int:year>/<int:month>/", api.InvoiceView.as_view(), name="api-billing-invoice"),
    path("billing/history/", api.HistoryView.as_view(), name="api-billing-history"),
]
