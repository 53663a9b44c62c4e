from faced.access import public

# The log is public by design: see faced/ledger/views.py.
RULES = {
    "ledger:checkpoint": public(),
    "ledger:key": public(),
    "ledger:entries": public(),
    "ledger:proof_inclusion": public(),
    "ledger:proof_consistency": public(),
}
