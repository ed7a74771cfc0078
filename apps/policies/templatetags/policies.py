"""Template helpers of the policy pages: ``{{ policy|trigger:"cpu" }}`` (the metric's trigger or None)."""

from django import template

register = template.Library()


@register.filter
def trigger(policy, metric: str):
    find = getattr(policy, "trigger", None)
    return find(metric) if find else None
