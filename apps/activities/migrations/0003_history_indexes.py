"""History at scale: the person and data center copied onto each row (filters with an index), and
one index per list of the activity screen, each ending in (created_at, id) for keyset pages."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q
from django.db.models.functions import Upper


def fill_copies(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    for user_id, name in User.objects.values_list("pk", "cloud_username"):
        Activity.objects.filter(user_id=user_id).update(person=(name or "")[:200])
    Activity.objects.filter(user__isnull=True).update(person=F("actor"))
    changed = []
    for row in Activity.objects.filter(resource_type="server").only("pk", "resource_ids").iterator(2000):
        ids = list(row.resource_ids or ())
        rid = str(ids[0] if ids else "").upper()
        if len(rid) > 3 and rid[:2].isalpha() and rid[2].isdigit():
            row.datacenter = rid[:3]
            changed.append(row)
        if len(changed) >= 2000:
            Activity.objects.bulk_update(changed, ["datacenter"])
            changed = []
    Activity.objects.bulk_update(changed, ["datacenter"])


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_external_activities"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="activity", name="person", field=models.CharField(blank=True, max_length=200)
        ),
        migrations.AddField(
            model_name="activity", name="datacenter", field=models.CharField(blank=True, max_length=8)
        ),
        migrations.RunPython(fill_copies, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="activity", name="activity_account_recent"),
        migrations.AlterField(
            model_name="activity", name="account_alias", field=models.CharField(max_length=16)
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["account_alias", "created_at", "id"], name="activity_account_recent"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["user", "created_at", "id"], name="activity_user_recent"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["account_alias", "status", "created_at", "id"], name="activity_status"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["account_alias", "operation", "created_at", "id"], name="activity_operation"
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                F("account_alias"), Upper("person"), F("created_at"), F("id"), name="activity_person"
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["account_alias", "datacenter", "created_at", "id"], name="activity_dc"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["account_alias", "created_at", "id"],
                name="activity_external",
                condition=Q(origin="external"),
            ),
        ),
    ]
