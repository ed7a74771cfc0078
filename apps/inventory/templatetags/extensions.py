"""Render what other apps add to the inventory pages and the top bar (``portal.extensions``)."""

import logging

from django import template
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from apps.clc import errors
from portal import extensions

register = template.Library()
log = logging.getLogger(__name__)


@register.simple_tag(takes_context=True)
def page_panels(context, page, obj):
    """Every panel registered for ``page``, in order; a failing read is said in its place."""
    request = context["request"]
    out = []
    for panel in extensions.panels(page):
        try:
            extra = panel.context(request, obj)
        except errors.Unauthorized:
            raise
        except errors.ClcError as exc:
            log.warning("panel %s unavailable: %s", panel.template, exc)
            out.append(
                format_html(
                    '<section class="panel"><h2>{}</h2><p class="panel-error" role="status">{}</p></section>',
                    panel.title or "More",
                    f"{panel.title or 'This part'} could not be read from the cloud right now.",
                )
            )
            continue
        if extra is None:
            continue
        out.append(render_to_string(panel.template, {**context.flatten(), **extra}, request=request))
    return mark_safe("".join(out))


@register.simple_tag(takes_context=True)
def page_tabs(context, page, ident, current=""):
    """The page's tabs (the page's own first, as ``current`` names it)."""
    user = context["request"].user
    items = []
    for tab in extensions.tabs(page):
        if not tab.visible(user):
            continue
        try:
            url = reverse(tab.url_name, args=[ident])
        except NoReverseMatch:
            continue
        attr = mark_safe(' aria-current="page"') if tab.url_name == current else ""
        items.append((url, attr, tab.label))
    if len(items) < 2:  # the page alone: no tabs to choose from
        return ""
    links = format_html_join("", '<a href="{}"{}>{}</a>', items)
    return format_html('<nav class="tabs" aria-label="Views of this data center">{}</nav>', links)


@register.simple_tag(takes_context=True)
def nav_links(context):
    request = context["request"]
    items = []
    for link in extensions.nav_links():
        if not link.visible(request.user):
            continue
        url = reverse(link.url_name)
        attr = mark_safe(' aria-current="page"') if request.path.startswith(url) else ""
        items.append((url, attr, link.label))
    return format_html_join("", '<a href="{}"{}>{}</a>', items)
