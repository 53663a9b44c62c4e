"""faced will not serve without its log key (outside `faced ledger`)."""

from django.core.checks import Error, register

from faced.ledger.log_key import LogKeyMissing, log_signer


@register()
def log_key_check(app_configs, **kwargs):
    try:
        log_signer()
    except LogKeyMissing as missing:
        return [Error(str(missing), id="faced.E001")]
    except ValueError as damaged:
        return [
            Error(
                f"The ledger's signing key file is damaged: {damaged}",
                id="faced.E002",
            )
        ]
    return []
