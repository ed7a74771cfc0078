"""``{% load actions_group %}{% group_action_buttons group %}``: the group action bar, from the
group's links (nothing for a viewer). Used by the group page and the data center page."""

from django import template

from apps.actions.forms_group import GROUP_POWER_OPERATIONS
from apps.actions.idempotency import new_key

register = template.Library()


def group_buttons(g) -> dict:
    """What the person may do to group ``g`` (a GroupNode), from its links and state."""
    active = g.status == "active" and g.type != "archive"
    is_root = g.is_root
    power = active and g.allows("createServer", "POST")
    return {
        "g": g,
        "create_server": active and g.allows("createServer", "POST"),
        "create_group": active and g.allows("createGroup", "POST"),
        "edit": g.allows("self", "PATCH"),
        "move": not is_root and g.allows("self", "PATCH"),
        "delete": not is_root and g.allows("self", "DELETE"),
        "archive": g.link("archiveGroupAction") is not None,
        "restore": g.allows("restoreGroupAction", "POST"),
        "power": [(op, label, danger) for op, (label, danger) in GROUP_POWER_OPERATIONS.items()]
        if power
        else [],
    }


@register.inclusion_tag("actions/group_buttons.html", takes_context=True)
def group_action_buttons(context, g):
    data = group_buttons(g)
    data["request"] = context.get("request")
    data["power_key"] = new_key() if data["power"] else ""
    data["csrf_token"] = context.get("csrf_token")
    return data
