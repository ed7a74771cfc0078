"""``{% topbar_datacenters as dcs %}``: the signed-in person's data centers (cached per user)."""

from django import template

from apps.clc import errors

from .. import services

register = template.Library()


@register.simple_tag(takes_context=True)
def topbar_datacenters(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    try:
        return services.user_datacenters(request)
    except errors.Unauthorized:
        raise
    except errors.ClcError:
        return []  # the page itself says what is wrong; the switcher just stays empty
