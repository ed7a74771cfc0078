"""``{% load monitoring %}``: a scheduled activity for people (``presenting``)."""

from django import template

from .. import presenting

register = template.Library()
for _name in ("what", "recurrence", "expiry", "describe", "next_run", "last_run"):
    register.filter(f"schedule_{_name}", getattr(presenting, _name))
