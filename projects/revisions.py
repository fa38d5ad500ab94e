"""Proposal revisions: a snapshot at every saved change, and a readable diff of two of them.

`revision_record` is called by the services that change a proposal (content, budgets,
consortium, submit / return), inside their transaction with the project row locked, so the
numbering is safe. A save that changes nothing records nothing.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from projects.models import BudgetCategory, ProposalRevision, RevisionReason
from workflow.permissions import roles_of
from workflow.states import PartnershipState

# The proposal's own fields, in the order a reader meets them.
FIELDS = [
    ("title", _("Title")),
    ("acronym", _("Acronym")),
    ("tier", _("Tier")),
    ("summary", _("Public summary")),
    ("description", _("Description")),
    ("themes", _("Themes")),
    ("start_date", _("Planned start")),
    ("end_date", _("Planned end")),
    ("sought_partner_profile", _("Partners sought")),
]
LONG_TEXT = {"summary", "description", "sought_partner_profile"}
MOMENTS = {RevisionReason.SUBMITTED, RevisionReason.RESUBMITTED, RevisionReason.RETURNED}


def proposal_snapshot(project):
    """The proposal as its readers see it, as JSON: fields, partners, budgets (4 queries)."""
    partnerships = list(
        project.partnerships.select_related("centre").prefetch_related("budget_lines")
    )
    partnerships.sort(key=lambda p: (not p.is_lead, p.centre.name))
    return {
        "fields": {
            "title": project.title,
            "acronym": project.acronym,
            "tier": project.tier.name if project.tier_id else "",
            "summary": project.summary,
            "description": project.description,
            "themes": sorted(str(theme) for theme in project.themes.all()),
            "start_date": project.start_date.isoformat() if project.start_date else "",
            "end_date": project.end_date.isoformat() if project.end_date else "",
            "sought_partner_profile": project.sought_partner_profile,
        },
        "partners": [
            {
                "centre": p.centre.name,
                "country": p.centre.country.code if p.centre.country else "",
                "role": p.role,
                "state": p.state,
                "mandate_signed": p.mandate_signed,
            }
            for p in partnerships
        ],
        "budgets": {
            p.centre.name: {
                "own_contribution": str(p.own_contribution),
                "lines": [
                    {
                        "category": line.category,
                        "description": line.description,
                        "amount": str(line.amount),
                    }
                    for line in p.budget_lines.all()
                ],
            }
            for p in partnerships
            if p.state != PartnershipState.DECLINED
        },
    }


def revision_record(*, project, actor, reason):
    """Append a revision if the proposal differs from its latest one; return it, or None."""
    content = proposal_snapshot(project)
    latest = project.revisions.order_by("-number").values_list("number", "content").first()
    # A moment in the proposal's life (submitted, returned) is recorded even when the content
    # did not change: it is what a later comparison starts from.
    if latest is not None and latest[1] == content and reason not in MOMENTS:
        return None
    return ProposalRevision.objects.create(
        project=project,
        number=(latest[0] if latest else 0) + 1,
        reason=reason,
        author=actor,
        content=content,
    )


def can_read_revisions(user, project):
    """The lead, the partners (any centre in the consortium) and coordinators."""
    roles = roles_of(user)
    if roles.is_coordinator:
        return True
    return project.partnerships.filter(centre_id__in=list(roles.centres)).exists()


# --- The diff ---------------------------------------------------------------------------------


@dataclass
class FieldChange:
    name: str
    label: str
    before: str
    after: str
    # For long texts: [(op, text)] with op "equal", "delete" or "insert", word by word.
    words: list = field(default_factory=list)


@dataclass
class RevisionDiff:
    fields: list
    partners_added: list
    partners_removed: list
    partners_changed: list  # (centre, [(label, before, after)])
    budgets: list  # (centre, contribution (before, after) or None, lines removed, lines added)

    @property
    def empty(self):
        return not (
            self.fields
            or self.partners_added
            or self.partners_removed
            or self.partners_changed
            or self.budgets
        )


# A word with the spaces after it: a run of changed words stays one change, not one per word.
_WORDS = re.compile(r"\S+\s*|\s+")


def word_diff(before, after):
    a, b = _WORDS.findall(before or ""), _WORDS.findall(after or "")
    ops = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                ops.append(("delete", "".join(a[i1:i2])))
            if j2 > j1:
                ops.append(("insert", "".join(b[j1:j2])))
    return ops


def _shown(name, value):
    if name == "themes":
        return ", ".join(value)
    return value or ""


def _partner_label(partner):
    return (
        f"{partner['centre']} ({partner['country']})" if partner["country"] else partner["centre"]
    )


def _line_text(line):
    category = BudgetCategory(line["category"]).label if line["category"] in BudgetCategory else ""
    text = f"{category}: {line['amount']} EUR"
    return f"{text} — {line['description']}" if line["description"] else text


def revision_diff(old, new):
    """What changed from content `old` to content `new` (two snapshots)."""
    fields = []
    for name, label in FIELDS:
        before = _shown(name, old["fields"].get(name))
        after = _shown(name, new["fields"].get(name))
        if before != after:
            change = FieldChange(name=name, label=str(label), before=before, after=after)
            if name in LONG_TEXT:
                change.words = word_diff(before, after)
            fields.append(change)

    old_partners = {p["centre"]: p for p in old["partners"]}
    new_partners = {p["centre"]: p for p in new["partners"]}
    added = [_partner_label(new_partners[c]) for c in new_partners if c not in old_partners]
    removed = [_partner_label(old_partners[c]) for c in old_partners if c not in new_partners]
    changed = []
    state_labels = dict(PartnershipState.choices)
    for centre, after in new_partners.items():
        before = old_partners.get(centre)
        if before is None:
            continue
        rows = []
        if before["state"] != after["state"]:
            rows.append(
                (
                    str(_("State")),
                    str(state_labels.get(before["state"], before["state"])),
                    str(state_labels.get(after["state"], after["state"])),
                )
            )
        if before["mandate_signed"] != after["mandate_signed"]:
            yes, no = str(_("signed")), str(_("not signed"))
            rows.append(
                (
                    str(_("Mandate")),
                    yes if before["mandate_signed"] else no,
                    yes if after["mandate_signed"] else no,
                )
            )
        if rows:
            changed.append((_partner_label(after), rows))

    budgets = []
    for centre in [*new["budgets"], *[c for c in old["budgets"] if c not in new["budgets"]]]:
        before = old["budgets"].get(centre, {"own_contribution": "0.00", "lines": []})
        after = new["budgets"].get(centre, {"own_contribution": "0.00", "lines": []})
        contribution = None
        if before["own_contribution"] != after["own_contribution"]:
            contribution = (before["own_contribution"], after["own_contribution"])
        old_lines = [_line_text(line) for line in before["lines"]]
        new_lines = [_line_text(line) for line in after["lines"]]
        lines_removed = _multiset_minus(old_lines, new_lines)
        lines_added = _multiset_minus(new_lines, old_lines)
        if contribution or lines_removed or lines_added:
            budgets.append((centre, contribution, lines_removed, lines_added))
    return RevisionDiff(fields, added, removed, changed, budgets)


def _multiset_minus(items, others):
    remaining = list(others)
    result = []
    for item in items:
        if item in remaining:
            remaining.remove(item)
        else:
            result.append(item)
    return result


def default_comparison(revisions):
    """(from, to) numbers a reader most likely wants: the last version the network saw (the
    latest submission or return) against the newest; else the two newest."""
    numbers = [r.number for r in revisions]
    if len(numbers) < 2:
        return None
    newest = numbers[0]
    for revision in revisions[1:]:
        if revision.reason in MOMENTS:
            return revision.number, newest
    return numbers[1], newest
