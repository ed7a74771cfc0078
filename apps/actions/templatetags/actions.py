"""Template helpers for action forms: the idempotency key, the server page's buttons, bulk bars."""

from django import template
from django.middleware.csrf import get_token
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from apps.actions.idempotency import new_key
from apps.actions.services import KEY_FIELD

register = template.Library()


@register.simple_tag
def idempotency_field(key=None):
    """``<input type="hidden" name="idempotency_key" value="<uuid4>">``: one per rendered form."""
    return format_html('<input type="hidden" name="{}" value="{}">', KEY_FIELD, key or new_key())


def _button(request, server, spec, extra=None, label=None):
    """An inline POST form (safe actions) or a GET form to the confirm/form page (others).

    Destructive ones carry ``data-confirm`` (the question) and ``data-csrf`` / ``data-key`` so the
    page's JS can confirm in a <dialog> and POST directly; without JS the GET leads to the
    confirmation page.
    """
    url = f"/servers/{escape(server.id.lower())}/actions/{spec.name}/"
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in (extra or {}).items()
    )
    text = escape(label or spec.label)
    cls = "action danger" if spec.danger else "action"
    if spec.inline:
        return (
            f'<form method="post" action="{url}" class="inline">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
            f'<input type="hidden" name="{KEY_FIELD}" value="{new_key()}">{hidden}'
            f'<button type="submit" class="{cls}" data-action="{spec.name}">{text}</button></form>'
        )
    confirm = ""
    if spec.confirm:
        target = (extra or {}).get("snapshot_name") or next(iter((extra or {}).values()), "")
        question = spec.question.format(name=server.name or server.id, target=target)
        confirm = (
            f' data-confirm="{escape(question)}" data-csrf="{escape(get_token(request))}"'
            f' data-key="{new_key()}" data-label="{escape(spec.button or spec.label)}"'
        )
    return (
        f'<form method="get" action="{url}" class="inline"{confirm}>{hidden}'
        f'<button type="submit" class="{cls}" data-action="{spec.name}">{text}</button></form>'
    )


@register.simple_tag(takes_context=True)
def server_action_buttons(context, detail):
    """The server page's action bar, from the server's links (nothing for a viewer)."""
    from apps.actions.views_server import available_actions

    request = context["request"]
    buttons = [_button(request, detail.server, s) for s in available_actions(detail)]
    if not buttons:
        return ""
    return mark_safe(
        '<div class="actions" role="group" aria-label="Server actions">' + "".join(buttons) + "</div>"
    )


@register.simple_tag(takes_context=True)
def snapshot_buttons(context, detail, snapshot):
    from apps.actions import forms_server as f
    from apps.actions.views_server import SPECS

    request = context["request"]
    choice = next((c for c in f.snapshot_choices(detail) if c["name"] == snapshot.name), None)
    if choice is None:
        return ""
    out = []
    if choice["revert"]:
        out.append(
            _button(request, detail.server, SPECS["revertSnapshot"], {"snapshot": choice["id"]}, "Revert")
        )
    if choice["delete"]:
        out.append(
            _button(request, detail.server, SPECS["deleteSnapshot"], {"snapshot": choice["id"]}, "Delete")
        )
    return mark_safe(" ".join(out))


@register.simple_tag(takes_context=True)
def public_ip_button(context, detail, address):
    from apps.actions import forms_server as f
    from apps.actions.views_server import SPECS

    if not address or address not in f.public_ips(detail, removable_only=True):
        return ""
    return mark_safe(
        _button(context["request"], detail.server, SPECS["removePublicIp"], {"ip": address}, "Remove")
    )


def can_bulk(rows) -> bool:
    for r in rows:
        if not r.error and r.status == "active" and r.allows("self", "PATCH"):
            return True
    return False


@register.inclusion_tag("actions/_bulk_toolbar.html", takes_context=True)
def bulk_toolbar(context, rows, table_id):
    from apps.actions.views_server import BULK, DESTRUCTIVE_POWER, SPECS

    request = context["request"]
    enabled = can_bulk(rows)
    return {
        "enabled": enabled,
        "table_id": table_id,
        "ops": [(op, SPECS[op].label, op in DESTRUCTIVE_POWER) for op in BULK] if enabled else [],
        "key": new_key() if enabled else "",
        "key_field": KEY_FIELD,
        "csrf_token": get_token(request) if enabled else "",
        "next": request.get_full_path(),
    }


@register.simple_tag
def bulk_form_id(rows, table_id):
    """The bulk form's id when the person may act on some row (else "": no checkboxes)."""
    return f"bulk-{table_id}" if can_bulk(rows) else ""
