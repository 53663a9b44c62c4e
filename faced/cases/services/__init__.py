"""Writes to cases, one module per concern: report, panel, conversation,
findings, appeals, measures, deadlines; sealing holds a case's keys and
the texts under them, guards the refusals every change shares."""
