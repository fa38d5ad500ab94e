"""Template tags of a proposal's message thread (workflow.services.threads)."""

from django import template

from workflow.services import threads

register = template.Library()


@register.simple_tag(takes_context=True)
def thread_link_shown(context, project):
    """Whether the proposal's nav links its messages for the viewer: once the thread has started,
    to the people taking part in it (coordinators, members of its confirmed centres), never to
    reviewers or other centres. Reads the viewer's cached roles and the project's partnerships
    (prefetched on every proposal page): no query of its own there."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not threads.thread_started(project):
        return False
    return threads.thread_side(user, project) is not None


@register.simple_tag(takes_context=True)
def in_consortium(context, project):
    """Whether the viewer is a coordinator or a member of any centre of the proposal (invited,
    asking or confirmed): the people its reports and revisions are for. Reads the cached roles
    and `project.partnerships.all()` (prefetched on the proposal pages)."""
    from workflow.permissions import roles_of

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None:
        return False
    roles = roles_of(user)
    return roles.is_coordinator or any(
        p.centre_id in roles.centres for p in project.partnerships.all()
    )
