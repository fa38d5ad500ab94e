"""Print docs/workflow.md: one Mermaid state diagram per lifecycle, built from the FSM fields.

The arrows come from the django-fsm-2 transitions (never written by hand); the prose under each
diagram explains every state in plain language. Regenerate the document with

    python manage.py workflow_diagram > docs/workflow.md

and tests/workflow/test_diagram.py fails whenever the committed file is out of date.
"""

from dataclasses import dataclass, field

from django.core.management.base import BaseCommand
from django.utils import translation
from django_fsm import ANY_OTHER_STATE, ANY_STATE

REGENERATE = "python manage.py workflow_diagram > docs/workflow.md"
START = "[*]"


@dataclass(frozen=True)
class Lifecycle:
    heading: str
    model_path: str  # "app_label.ModelName"
    # Arrows made by a creation service rather than an FSM transition: (label, target state).
    creations: tuple[tuple[str, str], ...] = ()
    # {state value: one line for the staff of cultural centres and the coordinators}
    states: dict[str, str] = field(default_factory=dict)
    note: str = ""


LIFECYCLES = (
    Lifecycle(
        heading="Proposal / project (`JointProject.state`)",
        model_path="projects.JointProject",
        creations=(("create", "draft"),),
        states={
            "draft": "The lead centre is preparing the proposal; its content can still change.",
            "open_for_partners": (
                "The proposal is listed in the Project Fair so that other centres can ask to "
                "join; its content can still change."
            ),
            "submitted": (
                "A manager of the lead centre sent the proposal to the coordinators; it can no "
                "longer be edited, and open invitations and join requests are declined."
            ),
            "under_review": (
                "The coordinators are assessing the proposal; the assigned reviewers score it "
                "against the call's award criteria."
            ),
            "changes_requested": (
                "The coordinators asked for changes; the lead centre edits the proposal and "
                "submits it again by the date they set."
            ),
            "approved": (
                "A grant was awarded; the project starts once the manager of every confirmed "
                "partner has accepted the grant agreement."
            ),
            "rejected": "The proposal was not funded.",
            "withdrawn": "The lead centre withdrew the proposal before a decision.",
            "in_progress": "The project is running; the pre-financing payment is scheduled.",
            "reporting": (
                "The partners write the final report; this starts after the planned end date at "
                "the latest, and a returned final report brings the project back here."
            ),
            "report_submitted": (
                "The final report was submitted and waits for the coordinators to accept or "
                "return it."
            ),
            "terminated": (
                "The grant agreement ended early; the final grant follows the costs "
                "accepted so far, and overpaid pre-financing is recovered."
            ),
            "completed": (
                "The coordinators accepted the final report; the balance is paid (or an "
                "overpayment recovered)."
            ),
        },
    ),
    Lifecycle(
        heading="Partnership (`Partnership.state`)",
        model_path="projects.Partnership",
        creations=(("invite", "invited"), ("request", "requested")),
        states={
            "invited": (
                "The lead centre invited this centre; a manager of the invited centre accepts "
                "or declines."
            ),
            "requested": (
                "This centre asked to join a project that is open for partners; a manager of "
                "the lead centre accepts or declines."
            ),
            "confirmed": (
                "The centre is a partner of the project (the lead centre's own partnership is "
                "created confirmed, with the project)."
            ),
            "declined": (
                "The invitation or join request was declined, withdrawn by the asker, or "
                "declined automatically when the proposal was submitted."
            ),
            "withdrawn": "The centre left the project (the lead centre can never leave).",
        },
    ),
    Lifecycle(
        heading="Review (`Review.state`)",
        model_path="workflow.Review",
        creations=(("assign", "assigned"),),
        states={
            "assigned": (
                "A coordinator assigned the proposal to a reviewer who works for none of its "
                "centres; the reviewer scores each award criterion."
            ),
            "submitted": "The reviewer sent their scores and comments.",
            "declined": (
                "The reviewer declared a conflict of interest and does not review this proposal."
            ),
        },
    ),
    Lifecycle(
        heading="Report (`Report.state`)",
        model_path="projects.Report",
        states={
            "draft": (
                "The partners are writing the report: narrative, indicators and actual costs."
            ),
            "submitted": "The report waits for the coordinators to accept or return it.",
            "accepted": "The coordinators accepted the report and its costs.",
            "returned": (
                "The coordinators returned the report for changes; the partners edit it and "
                "submit it again."
            ),
        },
        note=(
            "The final report moves with its project: submitting it is the project's "
            "`submit_report`, returning it the project's `return_report`, and completing the "
            "project accepts it."
        ),
    ),
)

INTRO = f"""\
# Lifecycles

<!-- Generated by `{REGENERATE}` from the django-fsm-2 definitions; do not edit by hand. -->

Every proposal, partnership, review and report moves through a fixed set of states. The
diagrams below are generated from the code (`python manage.py workflow_diagram`), so they always
show what the platform really allows. To update this page after changing a lifecycle, run:

```sh
{REGENERATE}
```

How to read them: each box is a state, each arrow a step, labelled with the name the
platform, the JSON API and the transition log use for it. An arrow from `[*]` shows where a
record begins (and the step that creates it, if named); an arrow to `[*]` marks a final state,
which nothing leaves. Who may take each step and which checks it must pass are in PRODUCT.md
§3; every step is recorded in the object's timeline and notifies the people concerned.
"""


def _arrow(source, target, label=""):
    return f"{source} --> {target}" + (f" : {label}" if label else "")


def _targets(transition, source):
    """The states a transition can lead to (django-fsm-2 allows computed targets)."""
    target = transition.target
    if target is None:  # a transition that keeps the state
        return [source]
    allowed = getattr(target, "allowed_states", None)
    if allowed is not None:  # RETURN_VALUE / GET_STATE: whichever of the allowed states
        return [str(state) for state in allowed]
    return [str(target)]


def _sources(transition, states):
    source = transition.source
    if source == ANY_STATE:
        return list(states)
    if source == ANY_OTHER_STATE:
        return [state for state in states if state != transition.target]
    return [str(source)]


def _model(lifecycle):
    from django.apps import apps

    return apps.get_model(lifecycle.model_path)


def arrows(lifecycle):
    """(source, label, target) of every arrow of the diagram, sorted by source then label."""
    model = _model(lifecycle)
    state_field = model._meta.get_field("state")
    states = [str(value) for value, _label in state_field.flatchoices]
    result = set()
    for transition in state_field.get_all_transitions(model):
        label = transition.custom.get("name", transition.name)
        for source in _sources(transition, states):
            for target in _targets(transition, source):
                result.add((source, label, target))
    for label, target in lifecycle.creations:
        result.add((START, label, target))
    initial = str(state_field.get_default())
    if not any(source == START and target == initial for source, _label, target in result):
        result.add((START, "", initial))
    leaving = {source for source, _label, _target in result}
    result.update((state, "", START) for state in states if state not in leaving)

    unknown = {s for arrow in result for s in (arrow[0], arrow[2])} - {*states, START}
    if unknown:
        raise ValueError(f"{lifecycle.model_path}: arrows to unknown states {sorted(unknown)}")
    return sorted(result)


def _section(lifecycle):
    choices = _model(lifecycle)._meta.get_field("state").flatchoices
    missing = {str(value) for value, _label in choices} ^ set(lifecycle.states)
    if missing:
        raise ValueError(
            f"{lifecycle.model_path}: describe exactly its states; check {sorted(missing)}"
        )
    lines = [f"## {lifecycle.heading}", "", "```mermaid", "stateDiagram-v2"]
    diagram = arrows(lifecycle)
    lines += [f"    {_arrow(source, target, label)}" for source, label, target in diagram]
    lines += ["```", ""]
    final = {source for source, _label, target in diagram if target == START}
    for value, label in choices:
        kind = " (final)" if str(value) in final else ""
        lines.append(f"- **{label}** (`{value}`){kind}: {lifecycle.states[str(value)]}")
    if lifecycle.note:
        lines += ["", lifecycle.note]
    return "\n".join(lines) + "\n"


def render_markdown():
    """The whole of docs/workflow.md."""
    with translation.override("en"):
        return "\n".join([INTRO, *(_section(lifecycle) for lifecycle in LIFECYCLES)])


class Command(BaseCommand):
    help = (
        "Print docs/workflow.md: a Mermaid state diagram of every lifecycle, generated from the "
        f"django-fsm-2 transitions, with a line on each state. Usage: {REGENERATE}"
    )

    def handle(self, *args, **options):
        self.stdout.write(render_markdown(), ending="")
