"""Template tags of the network pages.

{% load networks %}
{% row_actions "firewall-policy" view %}           a table row's allowed actions (no role hint)
{% placement_actions "server" detail "networks" %}  one placement's buttons + the role hint
{% use_meter row.use %}                            claimed / free as a bar and numbers
{% action_form_url "server" detail "updatePublicIp" %}   where an in-place form posts
{% allowed "server" detail "updatePublicIp" as ok %}
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from apps.actions import registry
from apps.actions.templatetags.actions import action_url, button, offered_actions, role_hint

register = template.Library()


@register.simple_tag(takes_context=True)
def row_actions(context, target, resource, placement="bar"):
    request = context["request"]
    offered, _ = offered_actions(request.user, target, resource, placement)
    return mark_safe(" ".join(button(request, a, resource) for a in offered))


@register.simple_tag(takes_context=True)
def placement_actions(context, target, resource, placement):
    request = context["request"]
    offered, by_role = offered_actions(request.user, target, resource, placement)
    buttons = mark_safe("".join(button(request, a, resource) for a in offered))
    bar = format_html('<div class="actions">{}</div>', buttons) if offered else ""
    return mark_safe(bar + role_hint(by_role))


@register.simple_tag(takes_context=True)
def verdict(context, target, resource, name):
    """The registry's answer for one action: ``.ok``, ``.kind`` (role / state) and ``.reason``."""
    action = registry.get(target, name)
    return action.allowed(context["request"].user, resource) if action else None


@register.simple_tag(takes_context=True)
def allowed(context, target, resource, name):
    action = registry.get(target, name)
    return bool(action and action.allowed(context["request"].user, resource))


@register.simple_tag
def action_form_url(target, resource, name):
    return action_url(registry.get(target, name), resource)


@register.simple_tag
def use_meter(use):
    """A bar (``<meter>``: no inline style) and the numbers beside it."""
    if use is None:
        return ""
    total = max(use.total, 1)
    return format_html(
        '<span class="use"><meter min="0" max="{}" low="{}" high="{}" optimum="0" value="{}" '
        'aria-label="{} of {} addresses claimed">{}%</meter> '
        '<span class="use-n"><strong>{}</strong> claimed · {} free</span></span>',
        total,
        round(total * 0.7),
        round(total * 0.9),
        use.claimed,
        use.claimed,
        use.total,
        use.percent,
        use.claimed,
        use.free,
    )
