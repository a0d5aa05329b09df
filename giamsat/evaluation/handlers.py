"""The evaluation keeps its stored results in step with every change that affects them."""

from giamsat.events.choices import EventKind
from giamsat.events.registry import subscribe
from giamsat.jobs.services import kind_lock

from .jobs import RECOMPUTE
from .services import evaluation_recompute, evaluation_refresh, report_states_refresh

# A change of these redoes every year: a target, an expression or a weight can change any
# status, score and rank; a registry or assignment change, who counts towards whom.
RECOMPUTE_KINDS = frozenset(
    {
        EventKind.TARGET_CHANGED,
        EventKind.INDICATOR_CHANGED,
        EventKind.INDEX_WEIGHTS_CHANGED,
        EventKind.DATA_SET_CHANGED,
        EventKind.REGISTRY_CHANGED,
    }
)


@subscribe(EventKind.VALUES_CHANGED, *RECOMPUTE_KINDS, name="evaluation.results")
def results_refresh(events) -> None:
    """Bring results up to date for a batch of events: one full recompute if any changed the
    catalogue or the registry, else one refresh of every unit and period whose figures changed.
    Both rewrite results from the inputs as they are now, so a second delivery changes nothing."""
    if any(event.kind in RECOMPUTE_KINDS for event in events):
        # Not while an administrator's recompute job runs: the delivery is retried shortly.
        with kind_lock(RECOMPUTE):
            evaluation_recompute()
        return
    pairs = {tuple(pair) for event in events for pair in event.payload.get("pairs", [])}
    if pairs:
        evaluation_refresh(changes=pairs)


REPORT_STEP_KINDS = (
    EventKind.REPORT_OPENED,
    EventKind.REPORT_SUBMITTED,
    EventKind.REPORT_APPROVED,
    EventKind.REPORT_ACCEPTED,
    EventKind.REPORT_RETURNED,
    EventKind.REPORT_REOPENED,
)


@subscribe(*REPORT_STEP_KINDS, name="evaluation.report_states")
def report_states_update(events) -> None:
    """A report step changes how final the unit's index is (provisional, accepted): rewrite the
    completeness of the index rows it is behind. Idempotent: the states are read afresh."""
    pairs = {(event.unit_id, event.period_id) for event in events if event.unit_id and event.period_id}
    if pairs:
        report_states_refresh(pairs)
