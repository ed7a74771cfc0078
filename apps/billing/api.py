"""``/api/v1/billing/``: invoices for scripts (AccountAdmin, AccountViewer, BillingAdmin).

    GET billing/invoices/<year>/<month>/    one month: totals, per data center, line items and servers
    GET billing/history/?months=12          the last months' totals (the running month last)

Errors: ``{"message"}``: 400 (a month that has not begun, months out of 1-24), 401, 403 (a role
that may not see billing: nothing is asked upstream), 503 (the API's one error handler).
"""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.middleware import UNAVAILABLE_MESSAGE
from apps.accounts.reads import answer_example, message_errors
from apps.accounts.services import client_for_request

from . import selectors
from .selectors import NOT_FOR_ROLE, Month

MAX_MONTHS = 24


class BillingLineServerSerializer(serializers.Serializer):
    server = serializers.CharField(source="description", help_text="The server's id")
    cost = serializers.FloatField()


class BillingLineSerializer(serializers.Serializer):
    description = serializers.CharField(source="item.description")
    kind = serializers.CharField(help_text="group, deleted, ips, balancer or other")
    title = serializers.CharField(help_text="For a server group: the group's name")
    service_location = serializers.CharField(source="item.service_location")
    quantity = serializers.FloatField(source="item.quantity")
    unit_cost = serializers.FloatField(source="item.unit_cost")
    total = serializers.FloatField(source="item.total")
    servers = BillingLineServerSerializer(many=True, source="item.details")


class BillingInvoiceSerializer(serializers.Serializer):
    year = serializers.IntegerField(source="month.year")
    month = serializers.IntegerField(source="month.month")
    id = serializers.CharField(source="invoice.id")
    account_alias = serializers.CharField(source="invoice.account_alias")
    invoice_date = serializers.DateTimeField(source="invoice.invoice_date", allow_null=True)
    complete = serializers.BooleanField(help_text="The month has ended: its figures are final")
    total_amount = serializers.FloatField(source="total")
    datacenters = serializers.SerializerMethodField()
    line_items = BillingLineSerializer(many=True, source="lines")

    def get_datacenters(self, view) -> dict[str, float]:
        return dict(view.datacenters)


class BillingMonthSerializer(serializers.Serializer):
    year = serializers.IntegerField(source="month.year")
    month = serializers.IntegerField(source="month.month")
    total_amount = serializers.FloatField(source="total", allow_null=True)
    complete = serializers.BooleanField()
    datacenters = serializers.SerializerMethodField()
    error = serializers.CharField()

    def get_datacenters(self, item) -> dict[str, float]:
        return dict(item.datacenters)


class BillingHistorySerializer(serializers.Serializer):
    months = BillingMonthSerializer(many=True)


ERRORS = message_errors(
    "BillingMessage",
    {
        400: ("A month that has not begun, or a bad number of months.", "Aug 2026 has not begun."),
        403: ("The person's roles may not see billing (nothing is asked upstream).", NOT_FOR_ROLE),
        503: ("The cloud API is unavailable.", UNAVAILABLE_MESSAGE),
    },
)
EXAMPLE_INVOICE = {
    "year": 2026,
    "month": 6,
    "id": "DEMO5A1C9E0B",
    "account_alias": "DEMO",
    "invoice_date": "2026-07-01T00:00:00Z",
    "complete": True,
    "total_amount": 195.79,
    "datacenters": {"WA1": 195.79},
    "line_items": [
        {
            "description": "Server Group: Web - WA1",
            "kind": "group",
            "title": "Web",
            "service_location": "WA1",
            "quantity": 1,
            "unit_cost": 136.03,
            "total": 136.03,
            "servers": [{"server": "WA1DEMOWEB01", "cost": 68.02}, {"server": "WA1DEMOWEB02", "cost": 68.01}],
        },
        {
            "description": "External IP Address (WA1)",
            "kind": "ips",
            "title": "Public IP addresses",
            "service_location": "WA1",
            "quantity": 2,
            "unit_cost": 2.0,
            "total": 4.0,
            "servers": [],
        },
        {
            "description": "Shared Load Balancer - WA1",
            "kind": "balancer",
            "title": "Shared load balancers",
            "service_location": "WA1",
            "quantity": 1,
            "unit_cost": 55.76,
            "total": 55.76,
            "servers": [],
        },
    ],
}


class BillingAPIView(APIView):
    """Upstream errors are the API's one error handler's (``apps.accounts.api_errors``)."""

    def refused(self, request):
        if not selectors.may_see_billing(request.user):
            return Response({"message": NOT_FOR_ROLE}, status=status.HTTP_403_FORBIDDEN)
        return None


class InvoiceView(BillingAPIView):
    @extend_schema(
        operation_id="billing_invoice",
        summary="A month's invoice: totals, per data center, line items and their servers",
        tags=["billing"],
        responses={200: BillingInvoiceSerializer, **ERRORS},
        examples=[answer_example("June", EXAMPLE_INVOICE)],
    )
    def get(self, request, year: int, month: int):
        refused = self.refused(request)
        if refused is not None:
            return refused
        try:
            wanted = Month.parse(f"{year}-{month}", latest=Month.current())
        except ValueError as exc:
            return Response({"message": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        view = selectors.invoice(request.user, wanted, client=client_for_request(request))
        return Response(BillingInvoiceSerializer(view).data)


MONTHS = OpenApiParameter(
    "months", int, description=f"How many months (1-{MAX_MONTHS}, default 12).", required=False
)


class HistoryView(BillingAPIView):
    @extend_schema(
        operation_id="billing_history",
        summary="The last months' invoice totals (the running month last)",
        tags=["billing"],
        parameters=[MONTHS],
        responses={200: BillingHistorySerializer, **ERRORS},
        examples=[
            answer_example(
                "Two months",
                {
                    "months": [
                        {
                            "year": 2026,
                            "month": 6,
                            "total_amount": 195.79,
                            "complete": True,
                            "datacenters": {"WA1": 195.79},
                            "error": "",
                        },
                        {
                            "year": 2026,
                            "month": 7,
                            "total_amount": 61.2,
                            "complete": False,
                            "datacenters": {"WA1": 61.2},
                            "error": "",
                        },
                    ]
                },
            )
        ],
    )
    def get(self, request):
        refused = self.refused(request)
        if refused is not None:
            return refused
        raw = request.query_params.get("months", "12").strip()
        if not raw.isdecimal() or not 1 <= int(raw) <= MAX_MONTHS:
            return Response(
                {"message": f"months: a number from 1 to {MAX_MONTHS}."}, status=status.HTTP_400_BAD_REQUEST
            )
        found = selectors.history(request.user, months=int(raw), client=client_for_request(request))
        return Response(BillingHistorySerializer(found).data)
