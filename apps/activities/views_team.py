"""/team/: the people of the signed-in person's account who have used the portal, with their last
activity or audit entry (here, above both ``apps.accounts`` and ``apps.audit``)."""

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.accounts.models import User
from apps.audit.models import AuditEntry

from .models import Activity


def team_members(user):
    """Local users of the same account alias, each with ``last_activity_at`` / ``last_action``,
    most recently active first (never-active people last)."""
    alias = (user.account_alias or "").upper()
    latest_activity = Activity.objects.filter(user_id=OuterRef("pk")).order_by("-created_at", "-id")
    # What the person did: a refused or failed attempt is in the audit log, not their last action.
    latest_audit = AuditEntry.objects.filter(user_id=OuterRef("pk"), result="success").order_by("-at", "-id")
    people = User.objects.filter(account_alias__iexact=alias, is_active=True).annotate(
        last_activity_created=Subquery(latest_activity.values("created_at")[:1]),
        last_activity_operation=Subquery(latest_activity.values("operation")[:1]),
        last_activity_status=Subquery(latest_activity.values("status")[:1]),
        last_activity_id=Subquery(latest_activity.values("id")[:1]),
        last_audit_at=Subquery(latest_audit.values("at")[:1]),
        last_audit_action=Subquery(latest_audit.values("action")[:1]),
    )
    members = []
    for person in people:
        activity_at, audit_at = person.last_activity_created, person.last_audit_at
        candidates = [t for t in (activity_at, audit_at, person.last_login) if t is not None]
        person.last_activity_at = max(candidates) if candidates else None
        if activity_at and (audit_at is None or activity_at >= audit_at):
            person.last_action = f"{person.last_activity_operation} ({person.last_activity_status})"
            person.last_action_href = reverse("activity", args=[person.last_activity_id])
        elif audit_at:
            person.last_action = person.last_audit_action
            person.last_action_href = ""
        else:
            person.last_action = "signed in" if person.last_login else ""
            person.last_action_href = ""
        members.append(person)
    members.sort(
        key=lambda p: (
            p.last_activity_at is None,
            -p.last_activity_at.timestamp() if p.last_activity_at else 0,
            (p.cloud_username or p.username).lower(),
        )
    )
    return members


@require_GET
@login_required
def team(request):
    return render(
        request,
        "accounts/team.html",
        {"members": team_members(request.user), "account_alias": request.user.account_alias},
    )
