"""Signals other apps listen to, so that orgs need not import them."""

from django.dispatch import Signal

# Sent inside the granting transaction, with `user`, `role` and
# `organization`.
role_granted = Signal()
