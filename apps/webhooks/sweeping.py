"""Beat's sweep (``tasks.sweep``): a delivery stored but never handled (the broker lost its
message, a worker died) is handed over again after ``GRACE``; deliveries older than
``WEBHOOK_RETENTION_DAYS`` go."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import Delivery, DeliveryStatus

GRACE = timedelta(seconds=10)
BATCH = 500


def waiting(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(status=DeliveryStatus.RECEIVED, received_at__lt=now - GRACE)
        .order_by("received_at")
        .values_list("pk", flat=True)[:BATCH]
    )


def prune(now=None) -> int:
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(getattr(settings, "WEBHOOK_RETENTION_DAYS", 14)))
    old = list(Delivery.objects.filter(received_at__lt=cutoff).values_list("pk", flat=True)[:BATCH])
    if old:
        Delivery.objects.filter(pk__in=old).delete()
    return len(old)
