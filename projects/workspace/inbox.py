"""Workspace: the notifications inbox, how each kind is emailed, and the private calendar feed of
a person's deadlines (issue 7, items 1 and 10). Views stay thin: forms validate, services decide
(workflow/services/inbox.py), reads come from workflow/inbox_selectors.py."""

from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, re_path, reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.workspace._common import safe_next
from projects.workspace.inbox_forms import NotificationPreferencesForm
from workflow import ical
from workflow.exceptions import NotVisible
from workflow.inbox_selectors import (
    CALL,
    REPORT,
    RESUBMISSION,
    REVIEW,
    deadlines_of,
    inbox_notifications,
    notification_preferences_of,
)
from workflow.models import CalendarFeed
from workflow.notifications import language_of
from workflow.services.inbox import (
    calendar_feed_renew,
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_set,
)

PAGE_SIZE = 20
CALENDAR_PREVIEW = 10  # deadlines listed on the calendar page
FEED_LIMIT = 200  # events of each kind in the feed
FEED_PAST_DAYS = 90  # the feed keeps deadlines this long after they passed


# --- Links --------------------------------------------------------------------------------------


def reverse_or_project(name, pk, project_id):
    """The page of a job module (partners, agreement, reports, review) when it exists, else the
    project's own page, which always does."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return reverse("workspace:project", args=[project_id])


def deadline_url(deadline):
    if deadline.kind == REVIEW:
        return reverse_or_project("workspace:review", deadline.object_id, deadline.project_id)
    if deadline.kind == REPORT:
        return reverse_or_project(
            "workspace:project_reports", deadline.project_id, deadline.project_id
        )
    return reverse("workspace:project", args=[deadline.project_id])


def deadline_label(deadline):
    """What falls due, named for the person it falls to."""
    name = deadline.acronym or deadline.title or _("Untitled proposal")
    return {
        CALL: _("The call closes for %(project)s"),
        RESUBMISSION: _("Submit %(project)s again"),
        REVIEW: _("Your review of %(project)s is due"),
        REPORT: _("The final report of %(project)s is due"),
    }[deadline.kind] % {"project": name}


def deadline_rows(deadlines, *, today):
    return [
        {
            "label": deadline_label(deadline),
            "url": deadline_url(deadline),
            "day": deadline.day,
            "at": deadline.at,
            "kind": deadline.kind,
            "today": deadline.day == today,
        }
        for deadline in deadlines
    ]


def local_target(request, url):
    """The path (with query and fragment) of a notification's link when it points into this
    site, None otherwise: a notification never sends anyone elsewhere."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        own = {request.get_host(), urlsplit(settings.WAGTAILADMIN_BASE_URL).netloc}
        if parts.scheme not in ("http", "https") or parts.netloc not in own:
            return None
    target = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    if not parts.path.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return None
    return target


# --- Inbox --------------------------------------------------------------------------------------


@require_GET
@login_required
def inbox(request):
    user = request.user
    unread_only = request.GET.get("show") == "unread"
    unread = inbox_notifications(user, unread_only=True).count()
    notifications = inbox_notifications(user, unread_only=unread_only).only(
        "id", "subject", "body", "url", "created_at", "read_at"
    )
    paginator = Paginator(notifications, PAGE_SIZE)
    if unread_only:
        paginator.count = unread  # the same question: not asked twice
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "projects/workspace/inbox/inbox.html",
        {
            "page_obj": page,
            "unread": unread,
            "unread_only": unread_only,
            "show_query": "show=unread&" if unread_only else "",
            "next": request.get_full_path(),
        },
    )


@require_POST
@login_required
def notification_read(request, pk):
    try:
        notification_mark_read(notification_id=pk, actor=request.user)
    except NotVisible:
        raise Http404("No such notification.") from None
    messages.success(request, _("Marked as read."))
    return redirect(safe_next(request, reverse("workspace:inbox")))


@require_POST
@login_required
def notifications_read_all(request):
    count = notification_mark_all_read(actor=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s notification marked as read.",
                "%(count)s notifications marked as read.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Every notification was already read."))
    return redirect(safe_next(request, reverse("workspace:inbox")))


@require_GET
@login_required
def notification_open(request, pk):
    """Opening a notification marks it read and follows its link (within this site only)."""
    try:
        notification = notification_mark_read(notification_id=pk, actor=request.user)
    except NotVisible:
        raise Http404("No such notification.") from None
    return redirect(local_target(request, notification.url) or reverse("workspace:inbox"))


# --- Preferences --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def notification_preferences(request):
    user = request.user
    if request.method == "POST":
        form = NotificationPreferencesForm(request.POST)
        if form.is_valid():
            notification_preferences_set(actor=user, deliveries=form.cleaned_data)
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("workspace:notification_preferences")
        status = 400
    else:
        form = NotificationPreferencesForm(initial=notification_preferences_of(user))
        status = 200
    errors = [
        {"code": "invalid", "message": f"{form[name].label}: {error}", "anchor": f"id_{name}_0"}
        for name, field_errors in form.errors.items()
        for error in field_errors
    ]
    return render(
        request,
        "projects/workspace/inbox/preferences.html",
        {"form": form, "errors": errors},
        status=status,
    )


# --- Calendar -----------------------------------------------------------------------------------


def feed_url(request, feed):
    return request.build_absolute_uri(reverse("workspace:calendar_feed", args=[feed.token]))


@require_GET
@login_required
def calendar_page(request):
    user = request.user
    feed = CalendarFeed.objects.filter(user=user).first()
    now = timezone.now()
    url = feed_url(request, feed) if feed else ""
    return render(
        request,
        "projects/workspace/inbox/calendar.html",
        {
            "feed": feed,
            "feed_url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[1] if url else "",
            "deadlines": deadline_rows(
                deadlines_of(user, since=now, limit=CALENDAR_PREVIEW),
                today=timezone.localdate(now),
            ),
        },
    )


@require_POST
@login_required
def calendar_renew(request):
    replaced = CalendarFeed.objects.filter(user=request.user).exists()
    calendar_feed_renew(actor=request.user)
    messages.success(
        request,
        _("Your new calendar link is ready. The previous link no longer works.")
        if replaced
        else _("Your calendar link is ready."),
    )
    return redirect("workspace:calendar")


@require_GET
def calendar_feed(request, token):
    """The iCalendar feed of a person's deadlines, for calendar apps: no login, the token is the
    credential. A revoked (replaced) or unknown token is a plain 404."""
    feed = CalendarFeed.objects.select_related("user__wagtail_userprofile").filter(token=token)
    feed = feed.filter(user__is_active=True).first()
    if feed is None:
        raise Http404("No such calendar.")
    user = feed.user
    now = timezone.now()
    deadlines = deadlines_of(user, since=now - timedelta(days=FEED_PAST_DAYS), limit=FEED_LIMIT)
    host = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or request.get_host()
    with translation.override(language_of(user)):
        events = [
            ical.Event(
                uid=f"{deadline.uid}@{host}",
                summary=deadline_label(deadline),
                start=deadline.at or deadline.day,
                description=deadline.title,
                url=request.build_absolute_uri(deadline_url(deadline)),
            )
            for deadline in deadlines
        ]
        text = ical.calendar(
            events, name=_("Ensemble: my deadlines"), prodid="-//Ensemble//Deadlines//EN", now=now
        )
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="ensemble-deadlines.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("notifications/", inbox, name="inbox"),
    path("notifications/read/", notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", notification_read, name="notification_read"),
    path("notifications/<int:pk>/open/", notification_open, name="notification_open"),
    path("notifications/preferences/", notification_preferences, name="notification_preferences"),
    path("calendar/", calendar_page, name="calendar"),
    path("calendar/new-link/", calendar_renew, name="calendar_renew"),
    re_path(
        r"^calendar/(?P<token>[A-Za-z0-9_-]{20,100})\.ics$", calendar_feed, name="calendar_feed"
    ),
]
