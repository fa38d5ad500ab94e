"""Partnerships: invitations, requests to join, answers, mandates, budgets, agreements."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow import permissions
from workflow.conditions import Failure, TransitionInput
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible, WrongState
from workflow.notifications import notify
from workflow.states import PartnershipState, ProjectState

from . import _core
from .projects import lock_part, lock_project, project_is_editable_or_409
from .ranking import ranking_refresh_project

AUTOMATIC_DECLINE = "Declined automatically: the proposal was submitted."


def _lock(partnership_id, actor):
    from projects.models import Partnership

    project, partnership = lock_part(Partnership, partnership_id, related=["centre"])
    if project is None or (actor is not None and not permissions.can_view_project(actor, project)):
        raise NotVisible("No such partnership.")
    return project, partnership


def partnership_available_transitions(*, partnership, user):
    return _core.available_transitions(
        partnership, allowed=lambda name: permissions.partnership_may(user, partnership, name)
    )


def partnership_transition(*, partnership_id, name, actor, comment=""):
    data = TransitionInput(comment=comment or "")
    with transaction.atomic():
        project, partnership = _lock(partnership_id, actor)
        method = _core.check(
            kind="partnership",
            obj=partnership,
            name=name,
            visible=True,
            permitted=permissions.partnership_may(actor, partnership, name),
            data=data,
        )
        log = _core.run(
            obj=partnership, method=method, name=name, project=project, actor=actor, data=data
        )
        # A partner confirmed or gone changes the proposal's requested grant.
        ranking_refresh_project(project)
        _record_revision(project, actor=actor, reason="consortium")
        notify(
            kind="partnership", name=name, obj=partnership, project=project, actor=actor, log=log
        )
    return partnership


def _record_revision(project, *, actor, reason):
    """Budgets and the consortium are part of the proposal's revisions (issue 7); after
    approval they are the grant's business, not the proposal's."""
    from projects.revisions import revision_record

    if project.is_editable:
        revision_record(project=project, actor=actor, reason=reason)


def decline_automatically(partnership, *, project, actor):
    """Used inside the submit transaction; the project row is already locked."""
    data = TransitionInput(comment=AUTOMATIC_DECLINE)
    log = _core.run(
        obj=partnership,
        method=partnership.decline,
        name="decline",
        project=project,
        actor=actor,
        data=data,
        payload={"automatic": True},
    )
    notify(
        kind="partnership", name="decline", obj=partnership, project=project, actor=actor, log=log
    )


def _create(*, project_id, centre_id, actor, name, state, permitted, rules):
    from projects.models import Centre, Partnership, PartnershipOrigin, PartnershipRole

    with transaction.atomic():
        project = lock_project(project_id)
        if not permissions.can_view_project(actor, project) and not permissions.can_request_to_join(
            actor, centre_id
        ):
            raise NotVisible("No such project.")
        if not permitted(project):
            raise NotPermitted("You may not add partners to this project.")
        if not Centre.objects.filter(pk=centre_id).exists():
            raise ValidationError({"centre": "No such centre."})
        failed = [failure for rule in rules if (failure := rule(project, centre_id))]
        if failed:
            raise ConditionsNotMet(failed)
        try:
            with transaction.atomic():
                partnership = Partnership.objects.create(
                    project=project,
                    centre_id=centre_id,
                    role=PartnershipRole.PARTNER,
                    state=state,
                    origin=PartnershipOrigin.REQUEST
                    if name == "request"
                    else PartnershipOrigin.INVITATION,
                )
        except IntegrityError:  # a concurrent invitation of the same centre won
            raise ConditionsNotMet([_already_partner_failure()]) from None
        log = _core.write_log(
            obj=partnership, project=project, name=name, from_state="", to_state=state, actor=actor
        )
        _record_revision(project, actor=actor, reason="consortium")
        notify(
            kind="partnership", name=name, obj=partnership, project=project, actor=actor, log=log
        )
    return partnership


def _already_partner_failure():
    return Failure(
        "already_partner", _("This centre already takes part in the project, or was asked before.")
    )


def _already_partner(project, centre_id):
    if any(p.centre_id == int(centre_id) for p in project.partnerships.all()):
        return _already_partner_failure()


def _project_locked(project, centre_id):
    if project.state not in ProjectState.editable():
        return Failure(
            "project_locked",
            _("The proposal is %(state)s: its partners can no longer change.")
            % {"state": project.get_state_display()},
        )


def _not_open(project, centre_id):
    if project.state != ProjectState.OPEN_FOR_PARTNERS:
        return Failure("not_open", _("This proposal is not looking for partners."))


def partnership_invite(*, project_id, centre_id, actor):
    return _create(
        project_id=project_id,
        centre_id=centre_id,
        actor=actor,
        name="invite",
        state=PartnershipState.INVITED,
        permitted=lambda project: permissions.can_invite(actor, project),
        rules=[_already_partner, _project_locked],
    )


def partnership_request(*, project_id, centre_id, actor):
    return _create(
        project_id=project_id,
        centre_id=centre_id,
        actor=actor,
        name="request",
        state=PartnershipState.REQUESTED,
        permitted=lambda project: permissions.can_request_to_join(actor, centre_id),
        rules=[_already_partner, _not_open],
    )


def partnership_sign_mandate(*, partnership_id, actor, declaration, file=None):
    """A manager of the centre commits it to the proposal (optionally with a signed PDF)."""
    from projects import uploads

    if declaration is not True:
        raise ValidationError({"declaration": "The declaration must be accepted (true)."})
    if file is not None:  # checked by content before the lock (projects/uploads.py)
        try:
            kind = uploads.check(
                file, kinds=uploads.MANDATE_KINDS, max_bytes=uploads.MANDATE_MAX_BYTES
            )
        except ValidationError as error:
            raise ValidationError({"file": error.error_list}) from None
    with transaction.atomic():
        project, partnership = _lock(partnership_id, actor)
        if not permissions.can_manage_partnership(actor, partnership):
            raise NotPermitted("Only a manager of this centre may sign its mandate.")
        if partnership.state not in (*PartnershipState.pending(), PartnershipState.CONFIRMED):
            raise WrongState(f"The partnership is {partnership.state}.", state=partnership.state)
        project_is_editable_or_409(project)
        partnership.mandate_signed_by = actor
        partnership.mandate_signed_at = timezone.now()
        if file is not None:
            replaced = partnership.mandate_file.name
            partnership.mandate_file = uploads.prepare(file, kind)
            partnership.full_clean(exclude=["project", "centre", "own_contribution"])
            # The old signed PDF goes only once the new one is committed.
            uploads.delete_after_commit(partnership.mandate_file.storage, replaced)
        partnership.save()
        _core.write_log(
            obj=partnership,
            project=project,
            name="sign_mandate",
            from_state=partnership.state,
            to_state=partnership.state,
            actor=actor,
            payload={"file": bool(file)},
        )
        _record_revision(project, actor=actor, reason="consortium")
    return partnership


def partnership_set_budget(*, partnership_id, actor, lines, own_contribution):
    """Replace a partner's budget lines. Amounts are Decimals ≥ 0 (validated by the caller)."""
    from projects.models import BudgetLine

    with transaction.atomic():
        project, partnership = _lock(partnership_id, actor)
        if not permissions.can_edit_budget(actor, partnership):
            raise NotPermitted("Only the centre or the lead may edit this budget.")
        project_is_editable_or_409(project)
        if own_contribution < 0 or any(line["amount"] < 0 for line in lines):
            raise ValidationError("Amounts cannot be negative.")
        partnership.budget_lines.all().delete()
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(
                    partnership=partnership,
                    category=line["category"],
                    description=line.get("description", ""),
                    amount=line["amount"],
                )
                for line in lines
            ]
        )
        partnership.own_contribution = own_contribution
        partnership.save(update_fields=["own_contribution"])
        # A proposal sent back for changes is still ranked: its requested grant moves.
        ranking_refresh_project(project)
        _record_revision(project, actor=actor, reason="budget")
    return partnership


def partnership_accept_agreement(*, partnership_id, actor):
    with transaction.atomic():
        project, partnership = _lock(partnership_id, actor)
        if not permissions.can_manage_partnership(actor, partnership):
            raise NotPermitted("Only a manager of this centre may accept the grant agreement.")
        if (
            project.state != ProjectState.APPROVED
            or partnership.state != PartnershipState.CONFIRMED
        ):
            raise WrongState(
                "The grant agreement is accepted once the project is approved.", state=project.state
            )
        partnership.agreement_accepted_by = actor
        partnership.agreement_accepted_at = timezone.now()
        partnership.save(update_fields=["agreement_accepted_by", "agreement_accepted_at"])
        _core.write_log(
            obj=partnership,
            project=project,
            name="accept_agreement",
            from_state=partnership.state,
            to_state=partnership.state,
            actor=actor,
        )
    return partnership
