"""Workspace: reports (issue 7). Views stay thin: forms validate, services decide."""

urlpatterns = []
