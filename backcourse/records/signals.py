"""What the record service announces (apps above `records` listen; records imports none
of them).

`record_saved` is sent by `records/services.py`, the one writer of session records,
inside its transaction, after every write of a record (form, API, check-in), with
`session` (the Session whose record changed). `outcomes` uses it to refresh the stored
summary and prior of a course that has already completed.
"""

from django.dispatch import Signal

record_saved = Signal()
