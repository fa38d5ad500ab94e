"""Signals the workflow sends after a change commits, for the parts of the site that follow it
(the public pages: cms.sync). Sent from transaction.on_commit, so a receiver never sees a
rolled-back change, and robustly, so a failing receiver never undoes a transition."""

from django.dispatch import Signal

# project_id, transition: a project's state or public fields changed.
project_changed = Signal()
