"""What binds each sealed part of an escrow entry to its entry and its
purpose, so that no part can be moved to another entry or read as
another part."""

import uuid


def associated_data(entry_id: uuid.UUID, purpose: str) -> bytes:
    return f"faced match|{entry_id}|{purpose}".encode()
