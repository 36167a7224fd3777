"""The hook other apps use to follow a session's life.

`session_status_changed` is sent by scheduling/services.py — the only writer of
`Session.status` — every time a session gets a status: on booking (`old` is None, `new`
"booked") and on every change after (check-in, completed, no-show, cancelled, undo).
It is sent INSIDE the transaction that makes the change, after the row is saved, so a
receiver's own writes (e.g. billing drawing down a package for a held session) commit
or roll back together with the change; a receiver that raises refuses the change.
Work that must wait for the commit (emails) belongs in `transaction.on_commit`.

Keyword arguments: `session` (saved, with its new status), `old` (str or None), `new`
(str), `by` (the user who made the change, or None for the client/online/system),
`now` (the instant the service used for its rules).
"""

from django.dispatch import Signal

session_status_changed = Signal()
