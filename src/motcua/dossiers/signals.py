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
