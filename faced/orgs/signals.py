"""Signals other apps listen to, so that orgs need not import them."""

from django.dispatch import Signal

# Sent inside the granting transaction, with `user`, `role` and
# `organization`.
role_granted = Signal()

# Sent inside the revoking transaction, with the same arguments: a person
# who loses a role loses what it gave them (cases take back their keys).
role_revoked = Signal()
