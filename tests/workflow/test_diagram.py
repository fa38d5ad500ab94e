"""docs/workflow.md is generated from the FSM definitions and kept up to date."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from projects.models import JointProject, Partnership, Report
from workflow.management.commands.workflow_diagram import REGENERATE, render_markdown
from workflow.models import Review
from workflow.states import ProjectState

DOC = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"
HEADINGS = {
    JointProject: "## Proposal / project (`JointProject.state`)",
    Partnership: "## Partnership (`Partnership.state`)",
    Review: "## Review (`Review.state`)",
    Report: "## Report (`Report.state`)",
}
ARROW = re.compile(r"^    (\S+) --> (\S+)(?: : (\S+))?$")


def diagram(text, heading):
    """The arrows (source, target, label) of the Mermaid block under a heading."""
    section = text.split(heading + "\n", 1)[1]
    block = section.split("```mermaid\nstateDiagram-v2\n", 1)[1].split("\n```", 1)[0]
    arrows = []
    for line in block.splitlines():
        match = ARROW.match(line)
        assert match, f"not an arrow: {line!r}"
        arrows.append(match.groups())
    return arrows


def test_committed_doc_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        f"docs/workflow.md is out of date; regenerate it with `{REGENERATE}`"
    )


def test_command_prints_the_document():
    out = StringIO()
    call_command("workflow_diagram", stdout=out)
    assert out.getvalue() == render_markdown()


@pytest.mark.parametrize("model", HEADINGS, ids=lambda model: model.__name__)
def test_every_transition_and_state_is_drawn(model):
    text = render_markdown()
    arrows = diagram(text, HEADINGS[model])
    field = model._meta.get_field("state")
    transitions = list(field.get_all_transitions(model))
    assert transitions
    labels = {label for _source, _target, label in arrows}
    for t in transitions:
        label = t.custom.get("name", t.name)
        assert label in labels, f"{model.__name__}.{t.name} has no arrow labelled {label!r}"
        assert (str(t.source), str(t.target), label) in arrows
    drawn = {state for source, target, _label in arrows for state in (source, target)}
    for value, _label in field.flatchoices:
        assert value in drawn, f"{model.__name__} state {value!r} is not in the diagram"
        assert f"(`{value}`)" in text.split(HEADINGS[model], 1)[1]
    assert ("[*]", str(field.get_default())) in {(s, t) for s, t, _label in arrows}


def test_creations_and_final_states():
    text = render_markdown()
    assert ("[*]", "draft", "create") in diagram(text, HEADINGS[JointProject])
    partnership = diagram(text, HEADINGS[Partnership])
    assert ("[*]", "invited", "invite") in partnership
    assert ("[*]", "requested", "request") in partnership
    assert ("[*]", "assigned", "assign") in diagram(text, HEADINGS[Review])
    assert ("[*]", "draft", None) in diagram(text, HEADINGS[Report])
    assert ("submitted", "returned", "return") in diagram(text, HEADINGS[Report])
    finals = {s for s, t, _label in diagram(text, HEADINGS[JointProject]) if t == "[*]"}
    assert finals == set(ProjectState.terminal())
