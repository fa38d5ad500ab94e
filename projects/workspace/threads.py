"""Workspace: a proposal's messages (issue 7, item 6) — the thread between the project's centres
and the network secretariat, from submission on. Views stay thin: the form validates, the
service (`workflow.services.threads.message_post`) decides who may post what, when.

GET shows the thread oldest first, a page at a time, the latest page by default, and the form.
POST posts a message and comes back to it (POST-redirect-GET); refusals become pages: not taking
part → 404 (whatever the project's visibility), NotPermitted → 403, no thread yet or a closed
one → the thread page again (409), bad input → the page again with the error next to the field
(400), the text kept and nothing saved.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from projects.models import JointProject, Partnership
from projects.workspace._common import badge, forbidden
from projects.workspace.threads_forms import MessageForm
from workflow.exceptions import NotPermitted, NotVisible, WrongState
from workflow.models import MESSAGE_MAX_LENGTH
from workflow.services import threads as service

PER_PAGE = 20


def _load(user, pk):
    """The project with what the page and the checks read, or 404 for anyone not taking part."""
    project = (
        JointProject.objects.filter(pk=pk)
        .select_related("call", "tier", "lead_centre")
        .prefetch_related(Prefetch("partnerships", queryset=Partnership.objects.order_by()))
        .first()
    )
    if project is None or not service.thread_visible(user, project):
        raise Http404("No such thread.")
    return project


def _page(request, project, user):
    """The page of messages asked for; the latest page when none (or a wrong one) is asked."""
    paginator = Paginator(
        service.messages_visible_to(user, project).select_related("author", "author_centre"),
        PER_PAGE,
        allow_empty_first_page=True,
    )
    number = request.GET.get("page") or paginator.num_pages
    try:
        page = paginator.page(number)
    except InvalidPage:  # not a number, or past the end: the latest messages
        page = paginator.page(paginator.num_pages)
    entries = [
        {
            "message": message,
            "author": service.author_label(message),
            "mine": message.author_id == user.pk,
            "secretariat": message.from_secretariat,
        }
        for message in page.object_list
    ]
    return page, entries


def _state_note(project):
    if not service.thread_started(project):
        return _(
            "The messages with the network secretariat open when the proposal is submitted. "
            "Until then, the lead centre and its partners work on the proposal together."
        )
    if not service.thread_open(project):
        return _(
            "The project has ended (%(state)s): its messages are kept, and no new message can "
            "be posted."
        ) % {"state": project.get_state_display()}
    return ""


def _render(request, project, *, form, status=200, errors=None, error_title=""):
    user = request.user
    side = service.thread_side(user, project)
    page, entries = _page(request, project, user)
    context = {
        "project": project,
        "badge": badge(project.state, project.get_state_display()),
        "page_obj": page,
        "entries": entries,
        "form": form if service.thread_open(project) else None,
        "secretariat": side == service.SECRETARIAT,
        "state_note": _state_note(project),
        "max_length": MESSAGE_MAX_LENGTH,
        "errors": errors or [],
        "error_title": error_title,
    }
    return render(request, "projects/workspace/threads/thread.html", context, status=status)


def _form_for(request, project, data=None):
    secretariat = service.thread_side(request.user, project) == service.SECRETARIAT
    return MessageForm(data, secretariat=secretariat)


def _field_errors(form):
    return [
        {"code": "invalid", "message": message, "anchor": f"message-{field}"}
        for field, field_errors in form.errors.items()
        for message in field_errors
    ]


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def project_messages(request, pk):
    user = request.user
    project = _load(user, pk)  # 404 before anything is read from the form
    if request.method != "POST":
        return _render(request, project, form=_form_for(request, project))

    form = _form_for(request, project, request.POST)
    if service.thread_open(project):
        if not form.is_valid():
            return _render(
                request,
                project,
                form=form,
                status=400,
                errors=_field_errors(form),
                error_title=_("Your message was not posted:"),
            )
        body, coordinators_only = (
            form.cleaned_data["body"],
            form.cleaned_data.get("coordinators_only", False),
        )
    else:  # the service refuses it (409), whatever was typed
        body, coordinators_only = request.POST.get("body", ""), False
    try:
        message = service.message_post(
            project_id=project.pk,
            author=user,
            body=body,
            coordinators_only=coordinators_only,
        )
    except NotVisible:
        raise Http404("No such thread.") from None
    except NotPermitted as exc:
        return forbidden(request, exc, project_id=project.pk)
    except WrongState:
        project.refresh_from_db(fields=["state"])
        return _render(
            request,
            project,
            form=form,
            status=409,
            errors=[{"code": "wrong_state", "message": _state_note(project), "anchor": ""}],
            error_title=_("Your message was not posted:"),
        )
    except ValidationError as exc:  # the service's own check of the text, should the form pass
        for field, field_errors in exc.message_dict.items():
            for error in field_errors:
                form.add_error(field if field in form.fields else None, error)
        return _render(
            request,
            project,
            form=form,
            status=400,
            errors=_field_errors(form),
            error_title=_("Your message was not posted:"),
        )
    messages.success(request, _("Your message was posted."))
    return redirect(f"{reverse('workspace:project_messages', args=[project.pk])}#msg-{message.pk}")


urlpatterns = [
    path("projects/<int:pk>/messages/", project_messages, name="project_messages"),
]
