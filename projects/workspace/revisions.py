"""Workspace: a proposal's revisions and a readable comparison of two (issue 7, item 5).

For the lead, the partners and the coordinators; anyone else gets 404, as for every page of a
proposal they may not read in full."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from projects.models import JointProject, ProposalRevision
from projects.revisions import can_read_revisions, default_comparison, revision_diff

PAGE_SIZE = 20


def _project_for(user, pk):
    project = get_object_or_404(JointProject.objects.select_related("call", "tier"), pk=pk)
    if not can_read_revisions(user, project):
        raise Http404("No such project.")
    return project


@require_GET
@login_required
def revision_list(request, pk):
    project = _project_for(request.user, pk)
    revisions = project.revisions.select_related("author").only(
        "number",
        "reason",
        "created_at",
        "author__username",
        "author__first_name",
        "author__last_name",
        "project_id",
    )
    page = Paginator(revisions, PAGE_SIZE).get_page(request.GET.get("page"))
    default = default_comparison(list(project.revisions.only("number", "reason")[:50]))
    return render(
        request,
        "projects/workspace/revisions/list.html",
        {
            "project": project,
            "page": page,
            "default": default,
        },
    )


def _number(raw):
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**31 else None


@require_GET
@login_required
def revision_compare(request, pk):
    project = _project_for(request.user, pk)
    if "from" in request.GET or "to" in request.GET:
        first, second = _number(request.GET.get("from")), _number(request.GET.get("to"))
        if first is None or second is None:
            return HttpResponseBadRequest(_("Choose two revisions by their numbers."))
    else:
        default = default_comparison(list(project.revisions.only("number", "reason")[:50]))
        if default is None:
            raise Http404("Only one revision so far.")
        first, second = default
    first, second = sorted((first, second))
    found = {
        r.number: r
        for r in ProposalRevision.objects.filter(
            project=project, number__in=[first, second]
        ).select_related("author")
    }
    if first not in found or second not in found:
        raise Http404("No such revision.")
    old, new = found[first], found[second]
    return render(
        request,
        "projects/workspace/revisions/compare.html",
        {
            "project": project,
            "old": old,
            "new": new,
            "diff": revision_diff(old.content, new.content),
        },
    )


urlpatterns = [
    path("projects/<int:pk>/revisions/", revision_list, name="revisions"),
    path("projects/<int:pk>/revisions/compare/", revision_compare, name="revision_compare"),
]
