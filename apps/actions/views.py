"""One page flow for every registered action: ``/<target route>actions/<name>/``.

GET shows the action's form — or, for an action that asks first, the question and what it affects —
with a fresh idempotency key. POST validates, asks first when it must (a POST of an asking action
without ``confirmed=1`` shows the confirmation and sends nothing), runs the action once per key
(``services.run``) and redirects with a message (PRG). A refusal (the person's role, the resource's
state) is a 403 page naming the reason, and an audited ``denied`` entry for a POST. Unknown
resources and upstream failures are answered by the middleware (404, 503).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from apps.accounts.middleware import safe_next
from apps.clc import errors

from . import registry, services
from .flash import flash
from .idempotency import new_key

SECRETS = (
    "current_password",
    "new_password",
    "confirm_password",
    "password",
    "password_confirm",
    "source_password",
)
EXPIRED = "This form has expired or was not sent completely: check it and submit again."
GONE = "That item is not on this {what} (any more)."


class UnknownAction(errors.NotFound):
    """No such action for this kind of resource (a 404 page through the middleware)."""


def _back(request, fallback: str) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next")) or fallback


class ActionPage:
    """Renders one action's page for one resource (form, confirmation or refusal)."""

    template = "actions/action.html"

    def __init__(self, request, action, resource):
        self.request = request
        self.action = action
        self.kind = registry.target(action.target)
        self.resource = resource

    def render(self, form=None, key=None, *, status=200, error="", refused=False):
        action, kind, resource = self.action, self.kind, self.resource
        title = kind.title(resource)
        target = ""
        if form is not None and form.selects:
            source = form.data if form.is_bound else form.initial
            target = form.target_label(str(source.get(form.selects[0], "")))
        context = {
            "action": action,
            "kind": kind,
            "resource": resource,
            "title": title,
            "crumbs": kind.crumbs(resource),
            "resource_url": kind.url(resource),
            "form": form,
            "key": key,
            "key_field": services.KEY_FIELD,
            "error": error,
            "refused": refused,
            "asks": action.asks_first(),
            "question": action.question.format(name=title, target=target) if action.question else "",
            "affects": action.affects(self.request.user, resource) if action.affects else (),
            "many_ids": list(resource.ids) if kind.many else (),
            "next": _back(self.request, kind.url(resource)),
        }
        return render(self.request, action.template or self.template, context, status=status)


def _form(action, request, resource, data=None, initial=None):
    if action.form is None:
        return None
    return action.form(data, resource=resource, request=request, initial=initial or {})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters(*SECRETS)
def action_page(request, target: str, action: str, **ids):
    act = registry.get(target, action)
    if act is None:
        raise UnknownAction(f"No such action: {action[:60]}.")
    kind = registry.target(target)
    if request.method == "POST":  # a double submit: the first answer, whatever the state is now
        done = services.replay(request, act, services.key_from(request))
        if done is not None:
            flash(request, done)
            page = (
                reverse("dashboard") if kind.many else request.path.split("actions/")[0]
            )  # the resource's page
            return redirect(_back(request, page))
    try:
        resource = kind.load(request, **ids)
    except ValueError as exc:  # a selection the person sent (none, too many, not an id)
        return render(
            request,
            "actions/action.html",
            {"action": act, "error": str(exc), "refused": True, "next": _back(request, reverse("dashboard"))},
            status=400,
        )
    page = ActionPage(request, act, resource)
    verdict = act.allowed(request.user, resource)
    if not verdict:
        if request.method == "POST":
            services.deny(request, act, resource, verdict.reason)
        message = f"You can't {act.label.lower()} {kind.title(resource)}: {verdict.reason}."
        return page.render(status=403, error=message, refused=True)
    if request.method != "POST":
        initial = {n: request.GET[n] for n in getattr(act.form, "selects", ()) if request.GET.get(n)}
        form = _form(act, request, resource, initial=initial)
        if initial and not _form(act, request, resource, data=initial).is_valid():
            return page.render(status=404, error=GONE.format(what=kind.name), refused=True)
        return page.render(form, new_key())
    form = _form(act, request, resource, data=request.POST)
    key = services.key_from(request)
    if key is None:
        return page.render(form, new_key(), status=400, error=EXPIRED)
    if form is not None and not form.is_valid():
        return page.render(form, key, status=400)
    if act.asks_first() and request.POST.get("confirmed") != "1":
        return page.render(form, key)  # the question first; nothing is sent
    outcome = services.run(request, act, resource, form, key=key)
    if outcome.field_error:
        return page.render(form, key, status=400, error=outcome.message)
    if outcome.kind == "error" and outcome.status in (403, 404, 409) and not outcome.replayed:
        return page.render(form, new_key(), status=outcome.status, error=outcome.message)
    flash(request, outcome)
    return redirect(outcome.then or _back(request, kind.url(resource)))
