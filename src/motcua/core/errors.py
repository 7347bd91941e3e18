"""The base of the domain's own errors.

A `DomainError` means the rules refused what was asked (a dossier action in the wrong state, a
draft over its time budget, an unusable e-form schema, a payment not allowed): its message is
for people, in Vietnamese. Anything else that escapes is a bug or an outage. Each app keeps its
own classes, their messages and attributes; they only share this ancestor, so a caller that
wants "any refusal by the rules" catches one name.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal by the domain's rules (see the module's note)."""
