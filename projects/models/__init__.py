from .answers import ProposalAnswer
from .calls import AwardCriterion, Call, CallKind, CallRules, CallTier
from .exports import ExportFormat, ExportJob, ExportState
from .finance import BudgetCategory, BudgetLine, Payment, PaymentKind
from .joint_projects import JointProject, Partnership, PartnershipOrigin, PartnershipRole
from .network import (
    Centre,
    Discipline,
    Membership,
    MembershipKind,
    MembershipRole,
    Network,
    NetworkKind,
    Theme,
)
from .reports import Report, ReportAttachment, ReportCost, ReportKind
from .revisions import ProposalRevision, RevisionReason

__all__ = [
    "AwardCriterion",
    "BudgetCategory",
    "BudgetLine",
    "Call",
    "CallKind",
    "CallRules",
    "CallTier",
    "Centre",
    "Discipline",
    "ExportFormat",
    "ExportJob",
    "ExportState",
    "JointProject",
    "Membership",
    "MembershipKind",
    "MembershipRole",
    "Network",
    "NetworkKind",
    "Partnership",
    "PartnershipOrigin",
    "PartnershipRole",
    "Payment",
    "PaymentKind",
    "ProposalAnswer",
    "ProposalRevision",
    "Report",
    "ReportAttachment",
    "ReportCost",
    "ReportKind",
    "RevisionReason",
    "Theme",
]
