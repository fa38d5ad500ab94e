"""The coordinators' admin for networks, centres, calls and proposals (Wagtail viewsets).

Paths live under /admin/network/… so they never collide with Wagtail's own page-moderation
"workflows". The proposals' admin is read-only: every decision goes through the workflow
services, which check the permission, the state and the conditions, and write the log.

One module per viewset or screen; projects/wagtail_hooks.py registers the menu groups.
"""
