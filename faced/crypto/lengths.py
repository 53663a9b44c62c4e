"""The check every key and nonce passes before it reaches libsodium."""


def require_length(value: bytes, expected: int, name: str) -> None:
    """Refuse VALUE unless it is bytes of the EXPECTED length, with a
    message that names it (NAME), before libsodium's bindings see it."""
    if not isinstance(value, bytes):
        raise TypeError(f"The {name} must be bytes.")
    if len(value) != expected:
        raise ValueError(
            f"The {name} must be {expected} bytes long, not {len(value)}."
        )
