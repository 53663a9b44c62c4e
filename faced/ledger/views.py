"""The ledger's public endpoints: anyone may check the log.

The events hold only what may be public inside an organization (types,
times, opaque references, public keys, salted commitments), so the whole
log is readable without signing in: a member verifies it from their own
computer with nothing but the server's address and its published key.
"""

import base64

from django.http import HttpRequest, HttpResponse, JsonResponse

from faced.ledger.log_key import log_verifier_key
from faced.ledger.selectors import (
    consistency_proof,
    entries_page,
    inclusion_proof,
    latest_checkpoint,
    ledger_size,
    subtree_hashes,
)
from faced.ledger.services import checkpoint_sign

MAX_PAGE = 1000


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


class BadQuery(ValueError):
    pass


def _whole_number(request: HttpRequest, name: str, default=None) -> int:
    raw = request.GET.get(name)
    if raw is None:
        if default is None:
            raise BadQuery(f"Give {name}, a whole number.")
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise BadQuery(f"{name} must be a whole number, not {raw[:20]!r}.")
    return int(raw)


def _tree_size(request: HttpRequest, name: str) -> int:
    """The tree size NAME asks for: the whole log unless it says fewer
    entries, and never more than the log holds."""
    size = ledger_size()
    wanted = _whole_number(request, name, size)
    if wanted > size:
        raise BadQuery(f"The log has only {size} entries.")
    return wanted


def _bad(error: Exception) -> JsonResponse:
    return JsonResponse({"error": str(error)}, status=400)


def checkpoint(request: HttpRequest) -> HttpResponse:
    latest = latest_checkpoint()
    if latest is None or latest.tree_size < ledger_size():
        latest = checkpoint_sign() or latest
    return HttpResponse(latest.note, content_type="text/plain; charset=utf-8")


def key(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        log_verifier_key() + "\n", content_type="text/plain; charset=utf-8"
    )


def entries(request: HttpRequest) -> JsonResponse:
    try:
        start = _whole_number(request, "start", 0)
        limit = min(_whole_number(request, "limit", 100), MAX_PAGE)
    except BadQuery as error:
        return _bad(error)
    size = ledger_size()
    page = entries_page(start, limit)
    following = start + len(page)
    return JsonResponse(
        {
            "tree_size": size,
            "entries": [
                {
                    "sequence": entry.sequence,
                    "leaf_data": entry.leaf_data,
                    "leaf_hash": _b64(bytes(entry.leaf_hash)),
                }
                for entry in page
            ],
            "next": (
                f"{request.path}?start={following}&limit={limit}"
                if following < size
                else None
            ),
        }
    )


def proof_inclusion(request: HttpRequest) -> JsonResponse:
    try:
        index = _whole_number(request, "index")
        size = _tree_size(request, "tree_size")
        if index >= size:
            raise BadQuery(f"index must be below tree_size ({size}).")
    except BadQuery as error:
        return _bad(error)
    leaf = subtree_hashes({(0, index)})[(0, index)]
    return JsonResponse(
        {
            "index": index,
            "tree_size": size,
            "leaf_hash": _b64(leaf),
            "proof": [_b64(node) for node in inclusion_proof(index, size)],
        }
    )


def proof_consistency(request: HttpRequest) -> JsonResponse:
    try:
        first = _whole_number(request, "first")
        second = _tree_size(request, "second")
        if not 0 < first <= second:
            raise BadQuery("Need 0 < first <= second.")
    except BadQuery as error:
        return _bad(error)
    return JsonResponse(
        {
            "first": first,
            "second": second,
            "proof": [_b64(node) for node in consistency_proof(first, second)],
        }
    )
