"""What every transition service shares: name lookup, the checks in their order, the log."""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_fsm import can_proceed

from workflow.conditions import failures
from workflow.exceptions import (
    ConditionsNotMet,
    NotPermitted,
    NotVisible,
    UnknownTransition,
    WrongState,
)
from workflow.models import TransitionLog

_METHODS = {}


def transition_methods(model):
    """{transition name: method name} from the FSM definitions (a custom "name" wins)."""
    if model not in _METHODS:
        field = model._meta.get_field("state")
        _METHODS[model] = {
            t.custom.get("name", t.name): t.name for t in field.get_all_transitions(model)
        }
    return _METHODS[model]


def available_transitions(obj, *, allowed):
    """Names whose source matches the current state and that `allowed(name)` permits."""
    names = []
    for name, method in transition_methods(type(obj)).items():
        if can_proceed(getattr(obj, method)) and allowed(name):
            names.append(name)
    return names


def check(*, kind, obj, name, visible, permitted, data):
    """The checks in the order the API reports them: 404, 403, 409, 422."""
    methods = transition_methods(type(obj))
    if not visible:
        raise NotVisible(f"No such {kind}.")
    if name not in methods:
        raise UnknownTransition(f"{kind} has no transition {name!r}.")
    if not permitted:
        raise NotPermitted(f"You may not {name.replace('_', ' ')} this {kind}.")
    method = getattr(obj, methods[name])
    if not can_proceed(method):
        raise WrongState(
            f"Not possible while the {kind} is {obj.state}.", state=obj.state, transition=name
        )
    failed = failures(kind, name, obj, data)
    if failed:
        raise ConditionsNotMet(failed)
    return method


def write_log(
    *, obj, project, name, from_state, to_state, actor, comment="", payload=None, at=None
):
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        project=project,
        transition=name,
        from_state=from_state,
        to_state=to_state,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at or timezone.now(),
        comment=comment or "",
        payload=payload or {},
    )


def run(*, obj, method, name, project, actor, data, kwargs=None, payload=None):
    """Run a checked transition: change fields, save, log. The caller holds the row lock."""
    from_state = obj.state
    method(**(kwargs or {}))
    obj.save()
    return write_log(
        obj=obj,
        project=project,
        name=name,
        from_state=from_state,
        to_state=obj.state,
        actor=actor,
        comment=data.comment,
        payload=payload,
    )
