"""Private files (signed mandates, report attachments) handed out after a permission check.

Who may read them is `uploads.can_read_private_files`: coordinators and members of the project's
centres. Anyone else gets 404, as for any object they may not see. With S3 the answer is a
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
from projects.models import Partnership, ReportAttachment

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


def private_file_response(user, *, project, file, content_type, filename):
    """The download of `file` (a FieldFile of `project`) for `user`, or Http404."""
    if not file or not uploads.can_read_private_files(user, project):
        raise Http404("No such file.")
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
