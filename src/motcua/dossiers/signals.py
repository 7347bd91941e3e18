"""Signals of the dossier domain, so that other apps follow dossiers without dossiers knowing them."""

from django.dispatch import Signal

# Sent by the action layer right after an event is written, inside the action's transaction:
# receivers (notifications, the national-portal outbox) enqueue their work atomically with it.
# Arguments: event (an Event).
event_recorded = Signal()

# Sent while a dossier is being completed (status 9), inside the transaction and under its row
# lock, before the change is written. Receivers may add result files (e.g. signed copies) and
# return a dict merged into the completion event's data. Arguments: dossier, at, actor.
dossier_completing = Signal()

# Sent by `actions.approve` BEFORE the dossier's transaction (after the rules allowed the approval):
# receivers open the approver's signing key with the PIN, in their own transaction, so that a
# wrong PIN is counted and logged even though the approval is refused (they raise a DossierError).
# Return an opaque value passed on to `dossier_approving`. Arguments: dossier, actor, pin, at.
dossier_approval_unlock = Signal()

# Sent while a dossier is approved (action `approve`), inside the transaction and under its row
# lock: receivers sign the result files with what `dossier_approval_unlock` returned and return a
# dict merged into the `approved` event's data. Arguments: dossier, at, actor, unlocked.
dossier_approving = Signal()
