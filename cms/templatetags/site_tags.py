from django import template

from cms.navigation import language_links as build_language_links

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """Links to this page in every language (its translation where it has one)."""
    request = context.get("request")
    if request is None:
        return []
    return build_language_links(request, context.get("page"))
