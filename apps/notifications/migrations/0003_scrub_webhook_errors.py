"""Webhook deliveries keep only the receiver's status code: errors recorded before (the first 200
characters of the receiver's answer, or the socket error: "Connection refused") are cut down."""

import re

from django.db import migrations

STATUS = re.compile(r"^HTTP (\d{3})\b")
CONNECT_FAILED = "Could not connect to the receiver."


def scrubbed(error: str) -> str:
    if not error:
        return error
    match = STATUS.match(error)
    if match:
        return f"HTTP {match.group(1)}"
    if error.startswith("Cancelled:") or error in (CONNECT_FAILED,):
        return error
    return CONNECT_FAILED


def scrub(apps, schema_editor):
    Delivery = apps.get_model("notifications", "Delivery")
    for delivery in Delivery.objects.filter(channel="webhook").exclude(last_error="").only("last_error"):
        clean = scrubbed(delivery.last_error)
        if clean != delivery.last_error:
            Delivery.objects.filter(pk=delivery.pk).update(last_error=clean)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_delivery_cancelled")]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
