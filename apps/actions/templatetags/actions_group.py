"""``{% load actions_group %}{% group_action_buttons group %}``: the group action bar (the registry's
group actions, "Create server" among them, from the group's links and state). Used by the group
page and the data center page."""

from django import template

from apps.inventory.selectors import GroupForChange

register = template.Library()


@register.inclusion_tag("actions/group_buttons.html", takes_context=True)
def group_action_buttons(context, g):
    return {
        "request": context.get("request"),
        "g": g,
        "resource": GroupForChange(g, (g.location_id or "").upper(), ()),
    }
