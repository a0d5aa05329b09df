from django.db import models
from django.utils.translation import gettext_lazy as _

MILESTONE_KIND = "PROJECT_MILESTONE"  # the WorkItem kind of a project milestone

# Who owns (invests in) a project: a province or one of its departments, a ministry, its IT unit
# or one of its departments.
OWNER_UNIT_TYPES = ("PROVINCE", "PROVINCIAL_DEPT", "MINISTRY", "MINISTRY_IT_UNIT", "MINISTRY_DEPT")


class ProjectType(models.TextChoices):
    INVESTMENT = "INVESTMENT", _("Investment project")
    SERVICE_HIRE = "SERVICE_HIRE", _("Hiring of IT services")
    SOFTWARE = "SOFTWARE", _("Software acquisition")


class ProjectStatus(models.TextChoices):
    """IATI's activity status (codes 1–6); `OC4IDS_STATUS` maps each to OC4IDS's projectStatus."""

    PIPELINE = "PIPELINE", _("Preparation")
    IMPLEMENTATION = "IMPLEMENTATION", _("Implementation")
    FINALISATION = "FINALISATION", _("Finalisation")
    CLOSED = "CLOSED", _("Closed")
    CANCELLED = "CANCELLED", _("Cancelled")
    SUSPENDED = "SUSPENDED", _("Suspended")


# OC4IDS 0.9.5's projectStatus has no "closed": a closed IT project's system is in operation,
# which the standard calls maintenance; it has no "suspended" either.
OC4IDS_STATUS = {
    "PIPELINE": "preparation",
    "IMPLEMENTATION": "implementation",
    "FINALISATION": "completion",
    "CLOSED": "maintenance",
    "CANCELLED": "cancelled",
    "SUSPENDED": "implementation",
}
ACTIVE_STATUSES = ("IMPLEMENTATION", "FINALISATION")


class Programme(models.TextChoices):
    """The digital-transformation programme a project serves."""

    NATIONAL_DX = "NATIONAL_DX", _("National digital transformation programme")
    DIGITAL_GOVERNMENT = "DIGITAL_GOVERNMENT", _("Digital government")
    PROJECT_06 = "PROJECT_06", _("Project 06 (population data)")
    SMART_CITY = "SMART_CITY", _("Smart city")
    DIGITAL_INFRASTRUCTURE = "DIGITAL_INFRASTRUCTURE", _("Digital infrastructure")
    CYBERSECURITY = "CYBERSECURITY", _("Cyber security")


class FundingSource(models.TextChoices):
    CENTRAL_BUDGET = "CENTRAL_BUDGET", _("Central budget")
    LOCAL_BUDGET = "LOCAL_BUDGET", _("Local budget")
    ODA = "ODA", _("ODA and concessional loans")
    CAREER = "CAREER", _("Recurrent (non-business) budget")
    OTHER = "OTHER", _("Other lawful sources")


class TransactionKind(models.TextChoices):
    """IATI's transaction types that matter here."""

    COMMITMENT = "COMMITMENT", _("Commitment")
    DISBURSEMENT = "DISBURSEMENT", _("Disbursement")


class ProcurementMethod(models.TextChoices):
    """Methods of the Law on Bidding (No. 22/2023/QH15); `COMPETITIVE_METHODS` invite bids."""

    OPEN = "OPEN", _("Open bidding")
    LIMITED = "LIMITED", _("Limited bidding")
    SHOPPING = "SHOPPING", _("Competitive shopping")
    DIRECT = "DIRECT", _("Direct contracting")
    SELF = "SELF", _("Self-performance")


COMPETITIVE_METHODS = ("OPEN", "LIMITED", "SHOPPING")
OCDS_METHOD = {"OPEN": "open", "LIMITED": "selective", "SHOPPING": "limited", "DIRECT": "direct", "SELF": "direct"}


class PackageStage(models.TextChoices):
    """The Open Contracting stages a procurement package goes through."""

    PLANNING = "PLANNING", _("Planning")
    TENDER = "TENDER", _("Tender")
    AWARD = "AWARD", _("Award")
    CONTRACT = "CONTRACT", _("Contract")
    IMPLEMENTATION = "IMPLEMENTATION", _("Implementation")


STAGE_ORDER = [s.value for s in PackageStage]


class MilestoneType(models.TextChoices):
    """OC4IDS's milestoneType codes."""

    APPROVAL = "approval", _("Approval")
    PRE_PROCUREMENT = "preProcurement", _("Preparation for procurement")
    DELIVERY = "delivery", _("Delivery")
    ASSESSMENT = "assessment", _("Acceptance and assessment")
    PAYMENT = "payment", _("Payment")
    REPORTING = "reporting", _("Reporting")


class FlagCode(models.TextChoices):
    """The red flags the engine knows how to test (engine/flags.py); their thresholds, legal
    basis and wording are data, in versioned rule sets."""

    DISBURSEMENT_BEHIND = "DISBURSEMENT_BEHIND", _("Disbursement behind plan")
    SINGLE_BIDDER = "SINGLE_BIDDER", _("Package with a single bidder")
    CONTRACT_ABOVE_ESTIMATE = "CONTRACT_ABOVE_ESTIMATE", _("Contract above the estimate")
    MILESTONE_OVERDUE = "MILESTONE_OVERDUE", _("Milestone overdue")
    COST_OVERRUN = "COST_OVERRUN", _("Cost overrun")
    NOT_STARTED = "NOT_STARTED", _("Not started after approval")
