"""Identifiers of a person, normalized so that spellings of one person match.

A survivor names the person they report by one or more identifiers: an
e-mail address, a phone number, a social media profile, or a name together
with the organization the person belongs to. Two survivors rarely write the
same identifier the same way, so each one is turned into a single canonical
string, namespaced by its kind (``email:``, ``phone:``, ``profile:``,
``name:``), before anything is compared.

The rules lean one way on purpose: a rule is applied only where the
provider or platform documents that the two spellings reach the same
person. A missed match can be made good by a second identifier; a false
match would point at someone who did nothing.

docs/matching.md ("How identifiers are written the same way") sets the
rules out in plain language. This module is pure: no Django, no database
and no network, so the rules can be read, tested and reviewed on their
own.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable
from enum import StrEnum
from urllib.parse import parse_qs, unquote, urlsplit

import phonenumbers

__all__ = [
    "MAX_INPUT_LENGTH",
    "IdentifierKind",
    "NotAnIdentifier",
    "describe",
    "normalize",
]

# Longer than any real identifier, with room for the tracking parameters
# that social sites add to the profile addresses people copy.
MAX_INPUT_LENGTH = 2048


class IdentifierKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    PROFILE = "profile"
    NAME = "name"


class NotAnIdentifier(ValueError):
    """The survivor's entry cannot be read as an identifier of its kind.

    The message is written for the survivor, in plain words, and says what
    to do instead. It never repeats the entry, so it can be shown or logged
    without carrying what the survivor typed. ``code`` names the reason for
    a caller that shows its own (for example translated) wording.
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def normalize(
    kind: IdentifierKind | str,
    value: str,
    *,
    region: str = "GB",
    organization: str = "",
) -> str:
    """The canonical string of VALUE, an identifier of KIND.

    REGION (ISO 3166 alpha-2, or "" for none) is the country assumed for a
    phone number written without its country code. ORGANIZATION is
    required for a name and ignored for the other kinds. Raise
    NotAnIdentifier when VALUE is not an identifier of KIND.
    """
    kind = IdentifierKind(kind)
    if len(value) > MAX_INPUT_LENGTH or len(organization) > MAX_INPUT_LENGTH:
        raise NotAnIdentifier(
            "This is too long to be one identifier. Enter one at a time.",
            code="too_long",
        )
    if kind is IdentifierKind.EMAIL:
        return f"email:{_normalize_email(value)}"
    if kind is IdentifierKind.PHONE:
        return f"phone:{_normalize_phone(value, region)}"
    if kind is IdentifierKind.PROFILE:
        platform, handle = _normalize_profile(value)
        return f"profile:{platform}:{handle}"
    name, organization_key = _normalize_name(value, organization)
    return f"name:{organization_key}:{name}"


def describe(canonical: str) -> str:
    """A short label for CANONICAL, to show the survivor what will match.

    Only for the survivor's own page: the label is built from the
    canonical string each time and never stored.
    """
    kind, _, rest = canonical.partition(":")
    if kind == IdentifierKind.EMAIL:
        return _describe_email(rest)
    if kind == IdentifierKind.PHONE:
        return _describe_phone(rest)
    if kind == IdentifierKind.PROFILE:
        platform, _, handle = rest.partition(":")
        return _describe_profile(platform, handle)
    if kind == IdentifierKind.NAME:
        organization, _, name = rest.partition(":")
        if name and organization:
            return f'Name "{name}" at "{organization}"'
    raise ValueError(f"not a canonical identifier: {canonical!r}")


# Cleaning shared by every kind.


def _clean(value: str) -> str:
    """VALUE in NFKC, without invisible format characters, trimmed.

    NFKC turns full-width letters, digits and signs (common from phone
    keyboards in East Asia) into their ordinary forms. Format characters
    (zero-width spaces and joiners, direction marks, byte-order marks) come
    along when text is copied from web pages and chat apps; nobody can see
    them, so they must not decide a match. Control characters such as tabs
    and line breaks count as spaces.
    """
    text = unicodedata.normalize("NFKC", value)
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        kept.append(" " if category == "Cc" else char)
    return "".join(kept).strip()


# E-mail addresses.

_EMAIL_MESSAGE = (
    "This does not look like an e-mail address. "
    "It should look like name@example.org."
)

# RFC 5322 atext: the ASCII characters a dot-atom local part may hold.
_ATEXT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-")

# Gmail: dots are ignored, +tags are delivered to the account, and
# googlemail.com is the same mailbox as gmail.com (Google's help on
# addresses). This does not hold for Google Workspace domains, which
# cannot be told apart from any other domain.
_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})

# Outlook.com takes +tags ("plus addressing"). Dots are significant, and
# hotmail, live and outlook addresses of one name are separate accounts,
# so only the +tag goes. Microsoft account names cannot contain "+", so
# dropping a tag can never turn one person's address into another's.
_MICROSOFT_DOMAINS = frozenset(
    f"{name}.{suffix}"
    for name in ("outlook", "hotmail", "live")
    for suffix in (
        "com",
        "co.uk",
        "fr",
        "de",
        "it",
        "es",
        "nl",
        "be",
        "ca",
        "com.au",
        "ie",
        "at",
        "ch",
        "se",
        "dk",
        "no",
        "jp",
        "com.br",
    )
) | frozenset({"msn.com", "passport.com", "windowslive.com"})

# Yahoo's disposable addresses are "basename-keyword": a base name the
# person chose once, a hyphen, and any keyword. Yahoo IDs cannot contain a
# hyphen, so the hyphen marks a disposable address. The base name is not
# the person's Yahoo ID, so the keyword is dropped but the hyphen kept:
# every disposable address of one base name matches, and none of them
# matches the unrelated Yahoo ID that happens to equal the base name.
# yahoo.co.jp is Yahoo Japan, a separate company, and is left out.
_YAHOO_DOMAINS = frozenset(
    {
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.fr",
        "yahoo.de",
        "yahoo.it",
        "yahoo.es",
        "yahoo.ca",
        "yahoo.ie",
        "yahoo.in",
        "yahoo.co.in",
        "yahoo.com.au",
        "yahoo.com.br",
        "yahoo.com.mx",
        "ymail.com",
        "rocketmail.com",
    }
)

# Apple gives one iCloud mailbox the same name at icloud.com and, for
# older accounts, at me.com and mac.com; nobody else can hold that name at
# the other domains (Apple's "About your @icloud.com, @me.com, and
# @mac.com email addresses"). iCloud Mail delivers +tags, and iCloud names
# cannot contain "+". Hide My Email addresses are random and cannot be
# joined to the account by any rule.
_APPLE_DOMAINS = frozenset({"icloud.com", "me.com", "mac.com"})

# Domains that hold mailboxes and no fediverse accounts, so that an e-mail
# address entered as a profile is caught rather than read as a Mastodon
# account.
_MAIL_PROVIDER_DOMAINS = (
    _GMAIL_DOMAINS | _MICROSOFT_DOMAINS | _YAHOO_DOMAINS | _APPLE_DOMAINS
)

# An address at any other domain keeps its +tag: "+" is an ordinary
# character of a local part (RFC 5322), some servers use "-" or nothing as
# the tag separator, and at such a domain jane+board@example.org can be a
# different mailbox, or a list, rather than jane@example.org.


def _normalize_email(value: str) -> str:
    text = _clean(value)
    # "Jane Doe <jane@example.org>", as mail programs copy an address.
    if text.endswith(">") and "<" in text:
        text = text[text.rindex("<") + 1 : -1].strip()
    if text[:7].lower() == "mailto:":
        text = unquote(text[7:].split("?", 1)[0]).strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise NotAnIdentifier(_EMAIL_MESSAGE, code="email_invalid")
    # Mailboxes are case-insensitive at every provider people use, though
    # RFC 5321 allows otherwise; lower() and not casefold(), which would
    # turn "ß" into "ss" and merge two different mailbox names.
    local = unicodedata.normalize("NFC", local).lower()
    ascii_domain = _domain_to_ascii(domain)
    if ascii_domain is None or not _is_local_part(local):
        raise NotAnIdentifier(_EMAIL_MESSAGE, code="email_invalid")
    if ascii_domain in _GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        ascii_domain = "gmail.com"
    elif ascii_domain in _MICROSOFT_DOMAINS:
        local = local.split("+", 1)[0]
    elif ascii_domain in _APPLE_DOMAINS:
        local = local.split("+", 1)[0]
        ascii_domain = "icloud.com"
    elif ascii_domain in _YAHOO_DOMAINS and "-" in local:
        local = local.split("-", 1)[0] + "-"
    if not local.strip(".-"):
        raise NotAnIdentifier(_EMAIL_MESSAGE, code="email_invalid")
    return f"{local}@{ascii_domain}"


def _is_local_part(local: str) -> bool:
    """LOCAL is a dot-atom (RFC 5322), non-ASCII letters allowed (RFC 6531).

    Quoted local parts ("jane doe"@example.org) are refused: no provider a
    survivor is likely to meet hands them out, and their quoting rules
    would need a normal form of their own.
    """
    if len(local) > 64:
        return False
    for atom in local.split("."):
        if not atom:
            return False
        for char in atom:
            if char in _ATEXT:
                continue
            if ord(char) < 128 or unicodedata.category(char)[0] not in "LMN":
                return False
    return True


# Domain names, shared by e-mail addresses and fediverse instances.

_ASCII_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_IDEOGRAPHIC_STOPS = str.maketrans(
    {"\u3002": ".", "\uff0e": ".", "\uff61": "."}
)


def _domain_to_ascii(domain: str) -> str | None:
    """DOMAIN with every label as its lowercase A-label, or None.

    Both spellings of an internationalized domain (bücher.example and
    xn--bcher-kva.example) give the same result: each label is first
    decoded to Unicode, put in NFC and lowercased, then encoded again. The
    ASCII form is the one DNS itself uses. Only the A-label/U-label
    conversion of IDNA is applied, not its full table of permitted
    characters: a domain that does not exist can never match anything
    anyway. A trailing root dot is dropped; IP literals and names without
    a dot (localhost) are refused, since no person's address is there.
    """
    text = domain.translate(_IDEOGRAPHIC_STOPS).strip()
    if text.endswith("."):
        text = text[:-1]
    labels = text.split(".")
    if len(labels) < 2:
        return None
    encoded = []
    for label in labels:
        unicode_label = label
        if label.lower().startswith("xn--"):
            try:
                unicode_label = label[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                return None
            if unicode_label.isascii():
                return None
        unicode_label = unicodedata.normalize("NFC", unicode_label).lower()
        if unicode_label.isascii():
            ascii_label = unicode_label
        else:
            if unicode_label[0] == "-" or unicode_label[-1] == "-":
                return None
            if any(
                char != "-" and unicodedata.category(char)[0] not in "LMN"
                for char in unicode_label
            ):
                return None
            ascii_label = "xn--" + unicode_label.encode("punycode").decode(
                "ascii"
            )
        if not _ASCII_LABEL.fullmatch(ascii_label):
            return None
        encoded.append(ascii_label)
    if encoded[-1].isdigit() or len(".".join(encoded)) > 253:
        return None
    return ".".join(encoded)


def _domain_to_unicode(ascii_domain: str) -> str:
    """ASCII_DOMAIN with its A-labels shown as the letters people read."""
    labels = []
    for label in ascii_domain.split("."):
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError, ValueError):
                label = label[4:].encode("ascii").decode("punycode")
        labels.append(label)
    return ".".join(labels)


def _describe_email(address: str) -> str:
    local, _, domain = address.rpartition("@")
    if not local or not domain:
        raise ValueError(f"not a canonical e-mail address: {address!r}")
    shown = f"{local}@{_domain_to_unicode(domain)}"
    if domain in _YAHOO_DOMAINS and local.endswith("-"):
        shown = f"{local}(any word)@{_domain_to_unicode(domain)}"
    return f"E-mail address {shown}"


# Phone numbers.

_PHONE_MESSAGE = (
    "This does not look like a phone number. "
    "Include the country code, or choose the country."
)


def _normalize_phone(value: str, region: str) -> str:
    """VALUE in E.164, with ";ext=" and the extension if one was given.

    libphonenumber does the work: it reads spaces, dashes, dots, brackets,
    "+44 (0)", the region's own international prefix and trunk "0", and
    letters on the keypad. A number must also be valid, not only possible:
    a number in a range no operator has (such as the UK's 07700 900xxx,
    kept for drama) matches nobody and is refused, so that a typo is caught
    while the survivor can still fix it.
    """
    default_region = region.strip().upper() or None
    if (
        default_region is not None
        and default_region not in phonenumbers.SUPPORTED_REGIONS
    ):
        raise ValueError(f"unknown phone region: {region!r}")
    text = _clean(value)
    if not text or "@" in text or "/" in text:
        raise NotAnIdentifier(_PHONE_MESSAGE, code="phone_invalid")
    candidates = [text]
    # "00" is the international prefix in most of the world but not in
    # North America or Japan, whose own prefixes libphonenumber already
    # reads; "0044 ..." still means +44 to a survivor anywhere.
    digits = re.sub(r"[^0-9+]", "", text)
    if digits.startswith("00"):
        candidates.append("+" + digits[2:])
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, default_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(
            number
        ) and phonenumbers.is_valid_number(number):
            break
    else:
        raise NotAnIdentifier(_PHONE_MESSAGE, code="phone_invalid")
    e164 = phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.E164
    )
    # Colleagues behind one switchboard share its number; the extension is
    # the part that is theirs, so it stays (RFC 3966 spelling).
    if number.extension:
        return f"{e164};ext={number.extension}"
    return e164


def _describe_phone(rest: str) -> str:
    e164, _, extension = rest.partition(";ext=")
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        raise ValueError(f"not a canonical phone number: {rest!r}") from None
    shown = phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    if extension:
        return f"Phone number {shown}, extension {extension}"
    return f"Phone number {shown}"


# Social media profiles.

_LABELS = {
    "instagram": "Instagram",
    "x": "X (Twitter)",
    "facebook": "Facebook",
    "tiktok": "TikTok",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "threads": "Threads",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
}

# What a survivor may write before a handle to say which site it is on.
_PREFIXES = {
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "x": "x",
    "twitter": "x",
    "facebook": "facebook",
    "fb": "facebook",
    "tiktok": "tiktok",
    "tik tok": "tiktok",
    "linkedin": "linkedin",
    "youtube": "youtube",
    "yt": "youtube",
    "threads": "threads",
    "bluesky": "bluesky",
    "bsky": "bluesky",
    "mastodon": "mastodon",
    "fediverse": "mastodon",
}
_PREFIX = re.compile(
    r"(?P<site>"
    + "|".join(
        re.escape(name) for name in sorted(_PREFIXES, key=len, reverse=True)
    )
    + r")\s*(?::\s*|\s+)(?P<rest>\S.*)",
    re.IGNORECASE | re.DOTALL,
)

# Hosts of each platform, once www., m. and the like are taken off.
_HOSTS = {
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "twitter.com": "x",
    "x.com": "x",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.me": "facebook",
    "tiktok.com": "tiktok",
    "linkedin.com": "linkedin",
    "youtube.com": "youtube",
    "threads.net": "threads",
    "threads.com": "threads",
    "bsky.app": "bluesky",
}
_HOST_PREFIXES = ("www.", "m.", "mobile.", "web.", "mbasic.", "touch.")
# Facebook and LinkedIn also serve profiles under language subdomains
# (de-de.facebook.com, uk.linkedin.com).
_LANGUAGE_SUBDOMAIN = re.compile(
    r"[a-z]{2}(?:-[a-z]{2})?\.(?P<host>facebook\.com|linkedin\.com)"
)
# Short links hide the profile behind a redirect, and this module does not
# go on the network to follow one.
_SHORT_LINK_HOSTS = frozenset(
    {
        "t.co",
        "bit.ly",
        "tinyurl.com",
        "ow.ly",
        "buff.ly",
        "goo.gl",
        "lnkd.in",
        "vm.tiktok.com",
        "vt.tiktok.com",
        "youtu.be",
        "fb.watch",
    }
)

# Every platform below finds an account by its handle without regard to
# case, so handles are lowercased; the only identifiers kept as written
# are YouTube channel IDs (UC...), which are case-sensitive.
_HANDLE_PATTERNS = {
    "instagram": re.compile(r"[a-z0-9._]{1,30}"),
    "threads": re.compile(r"[a-z0-9._]{1,30}"),
    "x": re.compile(r"[a-z0-9_]{1,50}"),
    "tiktok": re.compile(r"[a-z0-9._]{1,50}"),
    "facebook": re.compile(r"[a-z0-9.]{1,50}"),
    # LinkedIn's public profile addresses may hold letters of any script.
    "linkedin": re.compile(r"[\w-]{1,100}"),
    "youtube": re.compile(r"[\w.-]{1,100}"),
    # Mastodon allows [a-z0-9_]; other fediverse servers also "." and "-".
    "mastodon": re.compile(r"[\w.-]{1,100}"),
}
_YOUTUBE_CHANNEL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_BLUESKY_DID = re.compile(
    r"did:(?:plc:[a-z2-7]{1,64}|web:[a-z0-9.:%-]{1,253})"
)
_FEDIVERSE_ADDRESS = re.compile(r"@?(?P<user>[^@\s/]+)@(?P<host>[^@\s/]+)")

# First path segments that are a platform's own pages, not a person's.
_RESERVED = {
    "instagram": frozenset(
        {"p", "reel", "reels", "tv", "explore", "accounts", "direct", "about"}
        | {"legal", "developer", "web", "challenge", "s"}
    ),
    "x": frozenset(
        {"home", "search", "explore", "settings", "messages", "hashtag"}
        | {"notifications", "share", "compose", "login", "signup", "tos"}
        | {"privacy", "i", "intent"}
    ),
    "facebook": frozenset(
        {"groups", "pages", "events", "watch", "photo.php", "photo"}
        | {"story.php", "permalink.php", "sharer", "sharer.php", "share"}
        | {"marketplace", "gaming", "login", "home.php", "hashtag", "help"}
        | {"policies", "privacy", "settings", "messages", "notifications"}
        | {"friends", "reel", "reels", "stories", "search", "login.php"}
    ),
    "youtube": frozenset(
        {"watch", "shorts", "results", "playlist", "feed", "embed", "live"}
        | {"premium", "gaming", "account", "redirect", "hashtag", "post"}
    ),
}

_NOT_A_PROFILE = (
    "This link is not a profile page. Open the person's profile and copy "
    "the address from there."
)
_WHICH_SITE = (
    "Which site is this on? Write the site before the name, like "
    '"instagram: @name", or paste the address of the profile page.'
)
_SHORT_LINK = (
    "This is a short link. Open it, then copy the address of the profile "
    "page it leads to."
)
_UNKNOWN_SITE = (
    "This site cannot be matched yet. Use a profile on Instagram, "
    "X (Twitter), Facebook, TikTok, LinkedIn, YouTube, Threads, Bluesky "
    "or Mastodon, or another way to name the person."
)
_MASTODON_NEEDS_SERVER = (
    "Add the server of this Mastodon account, like @name@mastodon.social."
)


def _handle_message(platform: str) -> str:
    return f"This does not look like a username on {_LABELS[platform]}."


def _normalize_profile(value: str) -> tuple[str, str]:
    text = _clean(value)
    prefixed = _PREFIX.fullmatch(text)
    if prefixed is None:
        return _profile_without_site(text)
    chosen = _PREFIXES[prefixed["site"].lower()]
    rest = prefixed["rest"].strip()
    if "/" in rest:
        platform, handle = _profile_from_url(rest)
    elif chosen in ("mastodon", "threads") and (
        fediverse := _FEDIVERSE_ADDRESS.fullmatch(rest)
    ):
        # Threads accounts are on the fediverse too, as @name@threads.net.
        platform, handle = _fediverse(fediverse["user"], fediverse["host"])
    elif chosen == "mastodon":
        raise NotAnIdentifier(
            _MASTODON_NEEDS_SERVER, code="profile_needs_server"
        )
    else:
        return chosen, _profile_handle(chosen, rest)
    if platform != chosen:
        raise NotAnIdentifier(
            f"This address is for {_LABELS[platform]}, not "
            f"{_LABELS[chosen]}. Check which site the profile is on.",
            code="profile_site_mismatch",
        )
    return platform, handle


def _profile_without_site(text: str) -> tuple[str, str]:
    """A profile written without a site: a URL, or a self-naming handle."""
    if "/" in text:
        return _profile_from_url(text)
    fediverse = _FEDIVERSE_ADDRESS.fullmatch(text)
    if fediverse is not None:
        return _fediverse(fediverse["user"], fediverse["host"])
    bare = text.removeprefix("@").lower()
    if bare.startswith("did:") or bare.endswith(".bsky.social"):
        return "bluesky", _profile_handle("bluesky", bare)
    if _site_of_host(bare) is not None:
        raise NotAnIdentifier(_NOT_A_PROFILE, code="profile_not_profile")
    raise NotAnIdentifier(_WHICH_SITE, code="profile_which_site")


def _profile_handle(platform: str, written: str) -> str:
    """The canonical handle of WRITTEN, a handle on PLATFORM."""
    if platform == "bluesky":
        return _bluesky_handle(written)
    handle = written.strip().removeprefix("@").lower()
    if platform == "facebook" and handle.isdigit():
        return f"id:{handle}"
    pattern = _HANDLE_PATTERNS[platform]
    if not pattern.fullmatch(handle):
        raise NotAnIdentifier(
            _handle_message(platform), code="profile_handle_invalid"
        )
    if platform == "facebook":
        # Facebook ignores periods and case in usernames: john.smith55 and
        # JohnSmith55 are one account (Facebook's username guidelines).
        handle = handle.replace(".", "")
        if not handle:
            raise NotAnIdentifier(
                _handle_message(platform), code="profile_handle_invalid"
            )
    return handle


def _bluesky_handle(written: str) -> str:
    """A Bluesky handle (a domain name) or DID, lowercase.

    A handle written without a dot is taken to be on bsky.social, where
    every handle that has no domain of its own lives.
    """
    handle = written.removeprefix("@").lower()
    if handle.startswith("did:"):
        if not _BLUESKY_DID.fullmatch(handle):
            raise NotAnIdentifier(
                _handle_message("bluesky"), code="profile_handle_invalid"
            )
        return handle
    if "." not in handle:
        handle = f"{handle}.bsky.social"
    # Bluesky handles are ASCII domain names (AT Protocol handle syntax).
    ascii_handle = _domain_to_ascii(handle) if handle.isascii() else None
    if ascii_handle is None:
        raise NotAnIdentifier(
            _handle_message("bluesky"), code="profile_handle_invalid"
        )
    return ascii_handle


def _fediverse(user: str, host: str) -> tuple[str, str]:
    """The profile of USER@HOST, as written on the fediverse.

    Mastodon finds accounts without regard to case, and domain names have
    no case, so both halves are lowercased; the host is kept as its A-label
    so an internationalized instance matches in either spelling.
    """
    ascii_host = _domain_to_ascii(host)
    if ascii_host is None:
        raise NotAnIdentifier(_UNKNOWN_SITE, code="profile_unknown_site")
    site = _site_of_host(ascii_host)
    if site == "threads":
        return "threads", _profile_handle("threads", user)
    if site is not None:
        raise NotAnIdentifier(_NOT_A_PROFILE, code="profile_not_profile")
    if ascii_host in _MAIL_PROVIDER_DOMAINS:
        raise NotAnIdentifier(
            "This looks like an e-mail address. Choose e-mail address "
            "instead of profile.",
            code="profile_is_email",
        )
    handle = user.lower()
    if not _HANDLE_PATTERNS["mastodon"].fullmatch(handle):
        raise NotAnIdentifier(
            _handle_message("mastodon"), code="profile_handle_invalid"
        )
    return "mastodon", f"{handle}@{ascii_host}"


def _site_of_host(host: str) -> str | None:
    """The platform that HOST (lowercase) belongs to, if a known one."""
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host[len(prefix) :] in _HOSTS:
            host = host[len(prefix) :]
            break
    language = _LANGUAGE_SUBDOMAIN.fullmatch(host)
    if language is not None:
        host = language["host"]
    return _HOSTS.get(host)


def _profile_from_url(text: str) -> tuple[str, str]:
    """The profile at the web address TEXT, with or without its scheme."""
    url = text if "://" in text else f"https://{text}"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        raise NotAnIdentifier(
            _UNKNOWN_SITE, code="profile_unknown_site"
        ) from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise NotAnIdentifier(_UNKNOWN_SITE, code="profile_unknown_site")
    bare_host = host.removeprefix("www.")
    if bare_host in _SHORT_LINK_HOSTS:
        raise NotAnIdentifier(_SHORT_LINK, code="profile_short_link")
    segments = [unquote(part) for part in parts.path.split("/") if part]
    query = parse_qs(parts.query)
    ascii_host = _domain_to_ascii(host)
    if ascii_host is None:
        raise NotAnIdentifier(_UNKNOWN_SITE, code="profile_unknown_site")
    platform = _site_of_host(ascii_host)
    if platform is None:
        return _fediverse_from_path(ascii_host, segments)
    if not segments:
        raise NotAnIdentifier(_NOT_A_PROFILE, code="profile_not_profile")
    return platform, _URL_READERS[platform](segments, query)


def _fediverse_from_path(host: str, segments: list[str]) -> tuple[str, str]:
    """A fediverse profile address: https://host/@user or /users/user.

    An instance shows the accounts of other instances at
    /@user@other.instance; such an address names the account on the
    other instance.
    """
    if segments and segments[0] == "web":
        segments = segments[1:]
    if segments and segments[0].startswith("@") and len(segments[0]) > 1:
        user, _, other_host = segments[0][1:].partition("@")
        return _fediverse(user, other_host or host)
    if len(segments) >= 2 and segments[0] == "users":
        return _fediverse(segments[1], host)
    raise NotAnIdentifier(_UNKNOWN_SITE, code="profile_unknown_site")


def _first_handle(
    platform: str, segments: list[str], *, reserved: frozenset[str]
) -> str:
    if segments[0].lower() in reserved:
        raise NotAnIdentifier(_NOT_A_PROFILE, code="profile_not_profile")
    return _profile_handle(platform, segments[0])


def _instagram_url(segments: list[str], query: dict[str, list[str]]) -> str:
    if segments[0].lower() == "stories" and len(segments) >= 2:
        if segments[1].lower() == "highlights":
            raise NotAnIdentifier(_NOT_A_PROFILE, code="profile_not_profile")
        return _profile_handle("instagram", segments[1])
    return _first_handle(
        "instagram", segments, reserved=_RESERVED["instagram"]
    )


def _x_url(segments: list[str], query: dict[str, list[str]]) -> str:
    first = segments[0].lower()
    # x.com/i/user/12345 and intent links name an account by its number.
    if (
        first == "i"
        and len(segments) >= 3
        and segments[1] == "user"
        and segments[2].isdigit()
    ):
        return f"id:{segments[2]}"
    if first == "intent" and len(segments) >= 2:
        user_id = query.get("user_id", [""])[0]
        if user_id.isdigit():
            return f"id:{user_id}"
        screen_name = query.get("screen_name", [""])[0]
        if screen_name:
            return _profile_handle("x", screen_name)
    return _first_handle("x", segments, reserved=_RESERVED["x"])


def _facebook_url(segments: list[str], query: dict[str, list[str]]) -> str:
    first = segments[0].lower()
    if first == "profile.php":
        profile_id = query.get("id", [""])[0]
        if profile_id.isdigit():
            return f"id:{profile_id}"
        raise NotAnIdentifier(_NOT_A_PROFILE, code="profile_not_profile")
    # facebook.com/people/Jane-Doe/100012345678/
    if first == "people" and len(segments) >= 3 and segments[2].isdigit():
        return f"id:{segments[2]}"
    return _first_handle("facebook", segments, reserved=_RESERVED["facebook"])


def _tiktok_url(segments: list[str], query: dict[str, list[str]]) -> str:
    first = segments[0]
    if first.lower() == "t":
        raise NotAnIdentifier(_SHORT_LINK, code="profile_short_link")
    # Profile addresses on TikTok always carry the "@".
    if not first.startswith("@"):
        raise NotAnIdentifier(_NOT_A_PROFILE, code="profile_not_profile")
    return _profile_handle("tiktok", first)


def _linkedin_url(segments: list[str], query: dict[str, list[str]]) -> str:
    if segments[0].lower() == "in" and len(segments) >= 2:
        return _profile_handle("linkedin", segments[1])
    raise NotAnIdentifier(_NOT_A_PROFILE, code="profile_not_profile")


def _youtube_url(segments: list[str], query: dict[str, list[str]]) -> str:
    """A YouTube channel by handle, custom URL, legacy username or ID.

    The four are separate namespaces: the channel with the handle @jane
    need not be the one at /user/jane, so they are kept apart. The bare
    youtube.com/jane is the custom URL form (YouTube served custom URLs
    both with and without /c/).
    """
    first = segments[0]
    if first.startswith("@"):
        return _profile_handle("youtube", first)
    kind = first.lower()
    if kind in ("c", "user") and len(segments) >= 2:
        return f"{kind}:{_profile_handle('youtube', segments[1])}"
    if kind == "channel" and len(segments) >= 2:
        if _YOUTUBE_CHANNEL_ID.fullmatch(segments[1]):
            return f"channel:{segments[1]}"
        raise NotAnIdentifier(
            _handle_message("youtube"), code="profile_handle_invalid"
        )
    if kind in _RESERVED["youtube"] or kind in ("c", "user", "channel"):
        raise NotAnIdentifier(_NOT_A_PROFILE, code="profile_not_profile")
    return f"c:{_profile_handle('youtube', first)}"


def _threads_url(segments: list[str], query: dict[str, list[str]]) -> str:
    if not segments[0].startswith("@"):
        raise NotAnIdentifier(_NOT_A_PROFILE, code="profile_not_profile")
    return _profile_handle("threads", segments[0])


def _bluesky_url(segments: list[str], query: dict[str, list[str]]) -> str:
    if segments[0].lower() == "profile" and len(segments) >= 2:
        return _bluesky_handle(segments[1])
    raise NotAnIdentifier(_NOT_A_PROFILE, code="profile_not_profile")


_URL_READERS: dict[str, Callable[[list[str], dict[str, list[str]]], str]] = {
    "instagram": _instagram_url,
    "x": _x_url,
    "facebook": _facebook_url,
    "tiktok": _tiktok_url,
    "linkedin": _linkedin_url,
    "youtube": _youtube_url,
    "threads": _threads_url,
    "bluesky": _bluesky_url,
}


def _describe_profile(platform: str, handle: str) -> str:
    label = _LABELS.get(platform)
    if label is None or not handle:
        raise ValueError(f"not a canonical profile: {platform}:{handle}")
    if handle.startswith("id:"):
        return f"{label} profile number {handle[3:]}"
    if platform == "mastodon":
        user, _, host = handle.partition("@")
        return f"{label} profile @{user}@{_domain_to_unicode(host)}"
    if platform == "facebook":
        return f"{label} profile facebook.com/{handle}"
    if platform == "linkedin":
        return f"{label} profile linkedin.com/in/{handle}"
    if platform == "youtube":
        kind, _, name = handle.partition(":")
        if name:
            return f"{label} channel youtube.com/{kind}/{name}"
        return f"{label} channel @{handle}"
    if platform == "bluesky" and handle.startswith("did:"):
        return f"{label} profile {handle}"
    return f"{label} profile @{handle}"


# Names.

_NAME_MESSAGE = (
    "This does not look like a name. Write the person's name as it is "
    "usually written."
)
_NEEDS_ORGANIZATION = (
    "Add the organization the person belongs to. A name alone matches too "
    "many people."
)
_TOO_MANY_COMMAS = (
    'Write the name without commas, or as "Family name, Given names".'
)

# Apostrophes and their look-alikes join the parts they stand between:
# O'Brien with a straight or a curly apostrophe, and OBrien, are written
# for one person far more often than "O Brien". The middle dot is
# Catalan's (Paral·lel).
_JOINERS = str.maketrans(
    dict.fromkeys(
        "'\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032\uff07\u00b7\u0387", None
    )
)
# The Latin and the Arabic comma; NFKC has already made the full-width
# comma an ordinary one.
_COMMAS = re.compile("[,\u060c]")

# Letters that Unicode does not decompose into a base letter and a mark,
# but that are written without their stroke whenever a keyboard lacks
# them (Łukasz, Lukasz). Lowercase only: the table applies after casefold.
_LETTER_FOLDS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "\u0131": "i",  # dotless i
        "ŧ": "t",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
    }
)

# Generational suffixes and degrees, recognised only after a comma, where
# they would otherwise be read as given names ("King, Jr.").
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md"})


def _is_optional_mark(char: str) -> bool:
    """CHAR is a combining mark that writers often leave out.

    These are the accents of Latin, Greek and Cyrillic letters (José and
    Jose, Ёлкин and Елкин), and the vowel points of Hebrew and Arabic,
    which most text omits. The vowel signs of Indic, Thai and other
    scripts are also combining marks, but there they are letters of the
    word, so they stay.
    """
    if unicodedata.category(char)[0] != "M":
        return False
    code = ord(char)
    return (
        0x0300 <= code <= 0x036F  # Combining Diacritical Marks
        or 0x1AB0 <= code <= 0x1AFF  # ... Extended
        or 0x1DC0 <= code <= 0x1DFF  # ... Supplement
        or 0x20D0 <= code <= 0x20FF  # ... for Symbols
        or 0xFE20 <= code <= 0xFE2F  # Combining Half Marks
        or 0x0483 <= code <= 0x0489  # Cyrillic titlo and the like
        or 0x0591 <= code <= 0x05C7  # Hebrew points and accents
        or 0x064B <= code <= 0x065F  # Arabic harakat
        or code == 0x0670  # Arabic superscript alef
        or 0x06D6 <= code <= 0x06ED  # Arabic Quranic marks
    )


def _is_unspaced_script(char: str) -> bool:
    """CHAR is Chinese, Japanese or Korean, where names are often unspaced."""
    return unicodedata.name(char, "").startswith(
        ("CJK UNIFIED", "CJK COMPATIBILITY", "HIRAGANA", "KATAKANA", "HANGUL")
    )


def _fold_words(text: str) -> str:
    """TEXT case-folded, without optional accents, as words split by spaces.

    The steps, in order: apostrophes join; NFKC; case folding (which also
    turns ß into ss and final sigma into sigma); NFKD, dropping the
    optional marks, the letter table, NFC; every character that is not a
    letter, mark or digit becomes a space; runs of spaces become one,
    except between Chinese, Japanese or Korean characters, where they go.
    """
    text = _clean(text.translate(_JOINERS)).translate(_JOINERS).casefold()
    text = "".join(
        char
        for char in unicodedata.normalize("NFKD", text)
        if not _is_optional_mark(char)
    )
    text = unicodedata.normalize("NFC", text.translate(_LETTER_FOLDS))
    words = "".join(
        char if unicodedata.category(char)[0] in "LMN" else " "
        for char in text
    ).split()
    if not words:
        return ""
    joined = [words[0]]
    for word in words[1:]:
        if _is_unspaced_script(joined[-1][-1]) and _is_unspaced_script(
            word[0]
        ):
            joined[-1] += word
        else:
            joined.append(word)
    return " ".join(joined)


def _normalize_name(value: str, organization: str) -> tuple[str, str]:
    """The folded name and organization.

    Honorifics are kept: the words differ by language, and some of them
    (Don, Imam, Sheikh) are also given names or family names, so a list
    that strips them would change names. Name parts are not sorted either:
    "Jane Doe" and "Doe Jane" can be two people, and order is how many
    cultures tell the family name from the given name. Only a comma says
    the family name came first, so "Doe, Jane" is turned round.
    """
    text = _clean(value.translate(_JOINERS))
    parts = [_fold_words(part) for part in _COMMAS.split(text)]
    parts = [part for part in parts if part]
    suffixes: list[str] = []
    while len(parts) > 1 and parts[-1] in _NAME_SUFFIXES:
        suffixes.insert(0, parts.pop())
    if len(parts) == 2:
        parts = [parts[1], parts[0]]
    elif len(parts) > 2:
        raise NotAnIdentifier(_TOO_MANY_COMMAS, code="name_commas")
    name = " ".join(parts + suffixes)
    if not any(unicodedata.category(char)[0] == "L" for char in name):
        raise NotAnIdentifier(_NAME_MESSAGE, code="name_invalid")
    organization_key = _fold_words(organization)
    if not any(
        unicodedata.category(char)[0] == "L" for char in organization_key
    ):
        raise NotAnIdentifier(
            _NEEDS_ORGANIZATION, code="name_needs_organization"
        )
    return name, organization_key
