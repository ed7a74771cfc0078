"""Template tags that show registered actions (``apps.actions.registry``) on pages.

    {% load actions %}
    {% action_bar "server" detail %}                 the page's action bar (placement "bar")
    {% action_menu "group" g "power" "For all servers" %}   a menu of one placement
    {% item_actions "server" detail "snapshot" id %} the actions of one item (a snapshot, an address)
    {% bulk_toolbar rows "servers" %}                the bulk bar of a server table
    {% idempotency_field %}                          one idempotency key per rendered form

What the state forbids is not offered; what the person's role forbids is named once, with the role
it needs. An action that asks first (or has a form) leads to its page — with JS, a question without
fields is asked in a dialog that POSTs with ``confirmed=1``; a plain action POSTs at once.
"""

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from apps.actions import registry
from apps.actions.idempotency import new_key
from apps.actions.services import KEY_FIELD

register = template.Library()


@register.simple_tag
def idempotency_field(key=None):
    """``<input type="hidden" name="idempotency_key" value="<uuid4>">``: one per rendered form."""
    return format_html('<input type="hidden" name="{}" value="{}">', KEY_FIELD, key or new_key())


def action_url(action, resource) -> str:
    kind = registry.target(action.target)
    return reverse(f"{kind.name}-action", kwargs={**kind.kwargs(resource), "action": action.name})


def button(request, action, resource, *, extra=None, text=None) -> str:
    """One action's control: an inline POST (plain actions), else a GET to its page (a form or a
    question; with JS the question is asked in a dialog)."""
    kind = registry.target(action.target)
    extra = extra or {}
    url = action_url(action, resource)
    cls = "action danger" if action.danger else "action"
    label = text or action.label
    hidden = format_html_join("", '<input type="hidden" name="{}" value="{}">', extra.items())
    if action.form is None and not action.asks_first():
        return format_html(
            '<form method="post" action="{}" class="inline">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="{}" value="{}">{}'
            '<button type="submit" class="{}" data-action="{}">{}</button></form>',
            url,
            get_token(request),
            KEY_FIELD,
            new_key(),
            hidden,
            cls,
            action.name,
            label,
        )
    dialog = ""
    visible_fields = action.form is not None and any(
        not f.widget.is_hidden for f in action.form.base_fields.values()
    )
    if action.asks_first() and not visible_fields and not action.affects:
        target = next(iter(extra.values()), "")
        if action.form is not None and action.form.selects and target:
            form = action.form(None, resource=resource, request=request)
            target = form.target_label(target)
        question = action.question.format(name=kind.title(resource), target=target)
        dialog = format_html(
            ' data-confirm="{}" data-csrf="{}" data-key="{}" data-label="{}"',
            question,
            get_token(request),
            new_key(),
            action.submit,
        )
    return format_html(
        '<form method="get" action="{}" class="inline"{}>{}'
        '<button type="submit" class="{}" data-action="{}">{}</button></form>',
        url,
        dialog,
        hidden,
        cls,
        action.name,
        label,
    )


def offered_actions(user, target, resource, placement=None):
    """(allowed actions, {reason: [labels]} refused for the person's role) of one placement (None:
    of every placement)."""
    offered, by_role = [], {}
    for action in registry.actions(target):
        if placement is not None and action.placement != placement:
            continue
        verdict = action.allowed(user, resource)
        if verdict:
            offered.append(action)
        elif verdict.kind == "role":
            by_role.setdefault(verdict.reason, []).append(action.label)
    return offered, by_role


def role_hint(by_role: dict) -> str:
    if not by_role:
        return ""
    parts = format_html_join(
        "; ", "{} ({})", ((", ".join(labels), reason) for reason, labels in by_role.items())
    )
    return format_html('<p class="muted role-hint" data-role-hint>Not for your role: {}.</p>', parts)


@register.simple_tag(takes_context=True)
def action_bar(context, target, resource, label="Actions"):
    request = context["request"]
    offered, by_role = offered_actions(request.user, target, resource, "bar")
    buttons = mark_safe("".join(button(request, a, resource) for a in offered))
    bar = (
        format_html('<div class="actions" role="group" aria-label="{}">{}</div>', label, buttons)
        if offered
        else ""
    )
    return mark_safe(bar + role_hint(by_role))


@register.simple_tag(takes_context=True)
def action_menu(context, target, resource, placement, label):
    """A disclosure menu of one placement's actions (e.g. the group's power operations)."""
    request = context["request"]
    offered, _ = offered_actions(request.user, target, resource, placement)
    if not offered:
        return ""
    items = format_html_join(
        "",
        '<li><a href="{}" data-action="{}"{}>{}</a></li>',
        (
            (action_url(a, resource), a.name, mark_safe(' class="danger"') if a.danger else "", a.label)
            for a in offered
        ),
    )
    return format_html(
        '<details class="more-actions"><summary>{}</summary><ul>{}</ul></details>', label, items
    )


@register.simple_tag(takes_context=True)
def item_actions(context, target, resource, field, value, *names):
    """The allowed item actions (placement "item") whose form selects ``field``, for ``value``."""
    request = context["request"]
    out = []
    for action in registry.actions(target):
        if action.placement != "item" or field not in getattr(action.form, "selects", ()):
            continue
        if names and action.name not in names:
            continue
        if not action.allowed(request.user, resource):
            continue
        form = action.form({field: value}, resource=resource, request=request)
        if not form.is_valid():  # not this item's action (e.g. this snapshot can't be reverted)
            continue
        out.append(button(request, action, resource, extra={field: value}, text=action.submit))
    return mark_safe(" ".join(out))


def can_bulk(rows) -> bool:
    return any(not r.error and r.status == "active" and r.allows("self", "PATCH") for r in rows)


@register.inclusion_tag("actions/_bulk_toolbar.html", takes_context=True)
def bulk_toolbar(context, rows, table_id):
    request = context["request"]
    enabled = can_bulk(rows)
    ops = []
    if enabled:
        ops = [
            (reverse("servers-action", kwargs={"action": a.name}), a.name, a.label, a.danger)
            for a in registry.actions("servers")
            if a.allowed(request.user, None)
        ]
    return {
        "enabled": enabled and bool(ops),
        "table_id": table_id,
        "ops": ops,
        "key": new_key() if enabled else "",
        "key_field": KEY_FIELD,
        "csrf_token": get_token(request) if enabled else "",
        "next": request.get_full_path(),
    }


@register.simple_tag
def bulk_form_id(rows, table_id):
    """The bulk form's id when the person may act on some row (else "": no checkboxes)."""
    return f"bulk-{table_id}" if can_bulk(rows) else ""
