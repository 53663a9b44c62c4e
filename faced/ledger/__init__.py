"""The tamper-evident ledger: an RFC 9162 Merkle log, signed checkpoints."""
