"""Private files (signed mandates, report attachments, files answering a call's questions)
handed out after a permission check.

Who may read them is `uploads.can_read_private_files`: coordinators and members of the project's
centres; the files answering the call's questions also the proposal's assigned reviewers. Anyone
else gets 404, as for any object they may not see. With S3 the answer is a
redirect to a signed URL that lives `AWS_QUERYSTRING_EXPIRE` seconds; with local storage the
file is streamed. Either way it downloads as an attachment, under the detected content type, and
is never cached by shared caches. The API (projects/api/views/) answers through the same
function as the workspace views below.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from projects import uploads
from projects.models import Partnership, ProposalAnswer, ReportAttachment
from workflow import permissions

OCTET_STREAM = "application/octet-stream"


def _is_local(storage, name):
    try:
        storage.path(name)
    except NotImplementedError:  # remote storages (S3) have no local path
        return False
    return True


def _signed_url(storage, name, *, content_type, filename):
    from storages.backends.s3 import S3Storage

    if isinstance(storage, S3Storage):
        # S3 answers the signed GET with these headers, whatever the object was stored with.
        return storage.url(
            name,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseCacheControl": "private, no-store",
            },
        )
    return storage.url(name)


def private_file_response(user, *, project, file, content_type, filename, checked=False):
    """The download of `file` (a FieldFile of `project`) for `user`, or Http404. `checked`: the
    caller has already decided that `user` may read it (a rule wider than the default one)."""
    if not file or not (checked or uploads.can_read_private_files(user, project)):
        raise Http404("No such file.")
    return stored_file_response(file, content_type=content_type, filename=filename)


def stored_file_response(file, *, content_type, filename):
    """The download of a private file the caller has checked the user may read, or Http404."""
    storage = file.storage
    if _is_local(storage, file.name):
        try:
            handle = storage.open(file.name, "rb")
        except FileNotFoundError:
            raise Http404("No such file.") from None
        response = FileResponse(
            handle, as_attachment=True, filename=filename, content_type=content_type
        )
    else:
        response = HttpResponseRedirect(
            _signed_url(storage, file.name, content_type=content_type, filename=filename)
        )
    # The browser must not guess another type (an image is never run as HTML), and neither the
    # browser cache nor a proxy keeps a private file, or a signed URL, for the next person.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def mandate_download(user, partnership):
    return private_file_response(
        user,
        project=partnership.project,
        file=partnership.mandate_file,
        content_type=uploads.PDF.content_type,
        filename=f"mandate-{slugify(partnership.centre.name) or partnership.pk}.pdf",
    )


def attachment_download(user, attachment):
    kind = uploads.kind_of_name(attachment.file.name)
    return private_file_response(
        user,
        project=attachment.report.project,
        file=attachment.file,
        content_type=attachment.content_type or (kind.content_type if kind else OCTET_STREAM),
        filename=attachment.filename or attachment.file.name.rsplit("/", 1)[-1],
    )


def can_read_answer_files(user, project):
    """Files answering the call's questions are part of the proposal: who reads private files
    (coordinators, the project's centres) and the reviewers assigned to it, who judge them."""
    return uploads.can_read_private_files(user, project) or permissions.is_assigned_reviewer(
        user, project
    )


def answer_download(user, answer):
    project = answer.project
    if not can_read_answer_files(user, project):
        raise Http404("No such file.")
    kind = uploads.kind_of_name(answer.file.name)
    return private_file_response(
        user,
        project=project,
        file=answer.file,
        content_type=answer.content_type or (kind.content_type if kind else OCTET_STREAM),
        filename=answer.filename or answer.file.name.rsplit("/", 1)[-1],
        # Checked above: reviewers are not among who `uploads.can_read_private_files` lets in.
        checked=True,
    )


def _with_centres(queryset, path):
    """The project's partnerships, for the permission check, in one more query."""
    return queryset.prefetch_related(
        Prefetch(f"{path}__partnerships", queryset=Partnership.objects.only("project", "centre"))
    )


@login_required
@require_GET
def mandate_file(request, pk):
    partnership = get_object_or_404(
        _with_centres(Partnership.objects.select_related("centre", "project"), "project"), pk=pk
    )
    return mandate_download(request.user, partnership)


@login_required
@require_GET
def attachment_file(request, pk):
    attachment = get_object_or_404(
        _with_centres(
            ReportAttachment.objects.select_related("report__project"), "report__project"
        ),
        pk=pk,
    )
    return attachment_download(request.user, attachment)


@login_required
@require_GET
def answer_file(request, pk):
    answer = get_object_or_404(
        _with_centres(ProposalAnswer.objects.select_related("project"), "project"), pk=pk
    )
    return answer_download(request.user, answer)
