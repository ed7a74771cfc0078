"""/notifications/: the person's preferences (a form) and their recent deliveries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.audit.services import record

from . import services
from .forms import PreferenceForm
from .models import Delivery, Preference

RECENT = 50


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    preference = Preference.objects.filter(user=request.user).first() or Preference(
        user=request.user, email_address=request.user.email or ""
    )
    if request.method == "POST":
        form = PreferenceForm(request.POST, instance=preference)
        if form.is_valid():
            preference = form.save()
            services.webhook_changed(preference)  # pending retries to an old URL are cancelled
            _audit(request, "success", {"changed": sorted(form.changed_data)})
            messages.success(request, "Notification preferences saved.")
            return redirect("notifications")
        _audit(request, "failure", {"invalid": sorted(form.errors)})
        status = 400
    else:
        form, status = PreferenceForm(instance=preference), 200
    deliveries = Delivery.objects.filter(user=request.user).select_related("activity")[:RECENT]
    return render(
        request, "notifications/preferences.html", {"form": form, "deliveries": deliveries}, status=status
    )


def _audit(request, result, detail):
    """``notifications.update``: which fields changed (names only: a webhook URL may hold a secret)."""
    record(
        request=request,
        action="notifications.update",
        target_type="user",
        target_id=request.user.username,
        result=result,
        detail=detail,
    )
