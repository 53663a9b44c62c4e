"""Every named URL of faced, and how to ask for each: the access-rule
table and the security-headers test both walk it.

A plain module rather than a fixture: the tests are parametrized with
url_names() when they are collected, before any fixture runs."""

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Values for the URL parameters of the table's requests. Organization pages
# are asked for in Demo Collective, where the persona of Other Collective
# holds nothing; record pages for the survivor persona's record (the
# `survivor_record` fixture gives its identifiers), which everyone else
# must not find.
URL_KWARGS = {
    "org": "demo",
    "step": 0,
    "number": 1,
    "sequence": 0,
    "appeal_id": "00000000-0000-4000-8000-000000000000",
    "entry_id": "00000000-0000-4000-8000-000000000000",
    "match_id": "00000000-0000-4000-8000-000000000000",
}


def url_patterns(
    resolver: URLResolver | None = None, namespace: str = ""
) -> Iterator[tuple[str | None, URLPattern]]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from url_patterns(pattern, inner)
        else:
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield name, pattern


def url_names() -> list[str]:
    return sorted(name for name, _pattern in url_patterns() if name)


def url_for(name: str, extra: dict | None = None) -> str:
    pattern = dict(url_patterns())[name]
    values = {**URL_KWARGS, **(extra or {})}
    kwargs = {key: values[key] for key in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs)
