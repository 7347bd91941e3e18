"""E-mail and SMS notifications to applicants and account holders (issue 5, item 7).

Public API (see docs/notifications.md):

* ``motcua.notify.events.on_dossier_event(event)``: called by the dossier action layer for
  every event, in the event's transaction; enqueues the messages the event calls for.
* ``motcua.notify.services.send(channel, to, template, context, dossier=None, user=None)``
* ``motcua.notify.services.send_code(user_or_address, purpose, code, *, channel=None, valid_minutes=10)``
* ``motcua.notify.services.resend(messages)``, ``failed_count(agency=None)``, ``failed_messages(agency=None)``

Every message is a ``Message`` row plus a ``notify.send`` background job created in the same
transaction (an outbox): nothing is sent for a change that rolls back, nothing is lost while
the worker is down, and failures are retried with back-off, then shown to admins.
"""
