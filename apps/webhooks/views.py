"""``/webhooks/``: the account's webhook events, this portal's connection (set up in one click
through the registry's ``connect`` action), the last deliveries with their verification and lag."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.accounts.services import client_for_request

from . import selectors


@login_required
@require_http_methods(["GET", "HEAD"])
def page(request):
    setup = selectors.setup_for(request.user, client_for_request(request))
    alias = setup.alias
    context = {
        "setup": setup,
        "deliveries": selectors.recent_deliveries(alias),
        "stats": selectors.delivery_stats(alias),
        "cache": selectors.cache_note(alias),
        "keys": selectors.keys(),
    }
    return render(request, "webhooks/page.html", context)
