"""The matching escrow: two survivors naming the same person, written
differently, in different organizations, are put in touch by a counselor;
one survivor alone never is, and nobody can open a lone entry."""

import hashlib

import pytest
from django.core import mail

from faced.accounts.contact import contact_address_set
from faced.conftest import PASSWORD
from faced.ledger.models import LedgerEntry
from faced.matching.errors import MatchingError
from faced.matching.models import Entry, EntryShareKey, HeldReport, Match
from faced.matching.selectors import held_report_choices
from faced.matching.services import (
    entry_add,
    entry_mark_contacted,
    entry_withdraw,
    match_open,
    matches_publish,
)
from faced.matching.tests.escrow_setup import (
    hold_a_report,
    keys_of,
    name,
    publish_and_open,
)


class MatchTests:
    def test_two_survivors_naming_one_person_differently_match(
        self, personas, other_survivor, django_capture_on_commit_callbacks
    ):
        """Given a survivor of Demo Collective and one of Other Collective
        who write the same phone number differently, when both store an
        entry, then a match is recorded in the ledger with only a
        commitment and a count, the counselor is told (contentless), and
        opens both payloads."""
        contact_address_set(user=personas["counselor"], email="c@example.org")
        first = name(personas["survivor"], "07911 123456", region="GB")
        assert first.match_id is None
        second = name(other_survivor, "+44 (0)7911-123-456")
        assert second.match_id is not None
        first.refresh_from_db()
        assert first.match_id == second.match_id
        # Published later, not at the moment of adding: the ledger's
        # timing must not answer "has anyone named this person?".
        assert not LedgerEntry.objects.filter(event_type="match_found")
        with django_capture_on_commit_callbacks(execute=True):
            assert matches_publish() == 1
        assert matches_publish() == 0
        (entry,) = LedgerEntry.objects.filter(event_type="match_found")
        event = __import__("json").loads(entry.leaf_data)["event"]
        assert sorted(event) == ["commitment", "count", "match"]
        assert '"count":2' in entry.leaf_data
        assert first.index not in entry.leaf_data
        assert ["c@example.org"] in [m.to for m in mail.outbox]
        counselor = personas["counselor"]
        opened = match_open(
            match=second.match, counselor=counselor, keys=keys_of(counselor)
        )
        assert sorted(item["payload"]["contact"] for item in opened) == [
            "call other-survivor after six",
            "call survivor after six",
        ]
        second.match.refresh_from_db()
        assert second.match.opened_at is not None
        entry_mark_contacted(entry=first, counselor=counselor)
        first.refresh_from_db()
        assert first.contacted_at is not None

    def test_one_survivor_twice_never_matches(self, personas):
        survivor = personas["survivor"]
        name(survivor, "jane@example.org", kind="email")
        with pytest.raises(MatchingError, match="already"):
            name(survivor, "JANE@example.org ", kind="email")
        assert not Match.objects.exists()

    def test_one_survivor_alone_is_never_matched(self, personas):
        entry = name(personas["survivor"], "07911 123456")
        assert entry.match_id is None
        assert not LedgerEntry.objects.filter(
            event_type__startswith="match"
        ).exists()

    def test_different_people_do_not_match(self, personas, other_survivor):
        name(personas["survivor"], "07911 123456")
        name(other_survivor, "07911 123457")
        assert not Match.objects.exists()

    def test_the_threshold_is_configurable(
        self, personas, other_survivor, settings
    ):
        from faced.accounts.custody import keys_create
        from faced.accounts.models import User

        settings.MATCHING_THRESHOLD = 3
        name(personas["survivor"], "07911 123456")
        name(other_survivor, "07911 123456")
        assert not Match.objects.exists()
        third = User.objects.create_user(username="third", password=PASSWORD)
        keys_create(user=third, password=PASSWORD)
        assert name(third, "07911123456").match_id is not None


class LoneEntryTests:
    def test_no_key_the_server_holds_opens_a_lone_entry(
        self, personas, settings
    ):
        """Given one entry, when each key the server holds — the counselor's
        share key, the share itself, the secret key, the ledger key, the
        matching key — is tried as the payload key, none opens it."""
        from faced.crypto import shamir
        from faced.crypto.envelope import DecryptionError, decrypt
        from faced.ledger.log_key import log_signer
        from faced.matching.sealing import associated_data
        from faced.vault.services import open_own_copy

        entry = name(personas["survivor"], "07911 123456")
        counselor = personas["counselor"]
        share_key = open_own_copy(
            EntryShareKey.objects.filter(entry=entry, counselor=counselor),
            keys_of(counselor),
            missing="",
            damaged="",
        )
        share = decrypt(
            share_key,
            bytes(entry.share_ciphertext),
            associated_data=associated_data(entry.pk, "share"),
        )[: shamir.SHARE_BYTES]
        _x, y = shamir.share_from_bytes(share)
        candidates = [
            share_key,
            share[:32],
            share[32:],
            shamir.secret_to_bytes(y),
            hashlib.sha256(settings.SECRET_KEY.encode()).digest(),
            log_signer()[1][:32],
        ]
        key_file = getattr(settings, "MATCHING_KEY_FILE", None)
        if key_file:
            from pathlib import Path

            raw = Path(key_file).read_bytes()
            candidates += [raw[:32], hashlib.sha256(raw).digest()]
        for candidate in candidates:
            with pytest.raises(DecryptionError):
                decrypt(
                    candidate[:32].ljust(32, b"\0"),
                    bytes(entry.payload_ciphertext),
                    associated_data=associated_data(entry.pk, "payload"),
                )
        with pytest.raises(MatchingError):
            match_open(
                match=Match.objects.create(
                    index=entry.index,
                    threshold=2,
                    published_at=__import__("django").utils.timezone.now(),
                ),
                counselor=counselor,
                keys=keys_of(counselor),
            )


class ControlTests:
    def test_an_entry_is_withdrawn_before_a_match_and_not_after(
        self, personas, other_survivor
    ):
        survivor = personas["survivor"]
        entry = name(survivor, "07911 123456")
        entry_withdraw(entry=entry, owner=survivor)
        assert not Entry.objects.filter(pk=entry.pk).exists()
        assert not EntryShareKey.objects.filter(entry_id=entry.pk).exists()
        entry = name(survivor, "07911 123456")
        other = name(other_survivor, "07911 123456")
        # Matched, but no counselor has it yet: withdrawing still works,
        # and the match dissolves without anyone being told.
        entry_withdraw(entry=entry, owner=survivor)
        assert not Match.objects.exists()
        other.refresh_from_db()
        assert other.match_id is None
        entry = name(survivor, "07911 123456")
        publish_and_open(personas["counselor"])
        with pytest.raises(MatchingError):
            entry_withdraw(entry=entry, owner=survivor)

    def test_nobody_else_withdraws_an_entry(self, personas, other_survivor):
        entry = name(personas["survivor"], "07911 123456")
        with pytest.raises(MatchingError):
            entry_withdraw(entry=entry, owner=other_survivor)

    def test_bad_input_changes_nothing(self, personas):
        for kind, value, contact in (
            ("phone", "not a number", "x"),
            ("shoe size", "42", "x"),
            ("phone", "07911 123456", "   "),
            ("name", "A. Person", "x"),
        ):
            with pytest.raises(MatchingError):
                entry_add(
                    owner=personas["survivor"],
                    keys=keys_of(personas["survivor"]),
                    kind=kind,
                    value=value,
                    contact=contact,
                )
        assert not Entry.objects.exists()


class GoTogetherTests:
    def test_a_held_report_is_sent_only_after_a_match_and_a_yes(
        self, personas, other_survivor
    ):
        survivor = personas["survivor"]
        keys = keys_of(survivor)
        _entry, held = hold_a_report(
            survivor, "07911 123456", outcomes=["heard"]
        )
        with pytest.raises(MatchingError, match="waits for a match"):
            held_report_choices(held=held, owner=survivor, keys=keys)
        with pytest.raises(MatchingError):
            held_report_choices(
                held=held, owner=other_survivor, keys=keys_of(other_survivor)
            )
        name(other_survivor, "07911 123456")
        publish_and_open(personas["counselor"])
        held = HeldReport.objects.get(pk=held.pk)
        assert held_report_choices(held=held, owner=survivor, keys=keys) == {
            "included": ["what"],
            "outcomes": ["heard"],
        }
        # Nothing was sent by the match itself: the survivor sends it.
        from faced.cases.models import Case

        assert not Case.objects.exists()

    def test_the_review_page_offers_the_held_choices(
        self, personas, other_survivor, client
    ):
        from faced.conftest import sign_in

        survivor = personas["survivor"]
        entry, _held = hold_a_report(
            survivor, "07911 123456", outcomes=["no_contact"]
        )
        name(other_survivor, "07911 123456")
        publish_and_open(personas["counselor"])
        sign_in(client, survivor, with_keys=True)
        response = client.post(
            f"/my/escrow/{entry.pk}/", {"action": "send_report"}, follow=True
        )
        page = response.content.decode()
        assert "Report to the committee" in page
        assert 'value="no_contact" checked' in page or (
            "checked" in page.split('value="no_contact"')[1][:80]
        )


class CounselorTests:
    def test_a_revoked_counselor_loses_every_share_key(
        self, personas, other_survivor
    ):
        from faced.orgs.roles import Role
        from faced.orgs.services import role_revoke

        entry = name(personas["survivor"], "07911 123456")
        counselor = personas["counselor"]
        assert EntryShareKey.objects.filter(counselor=counselor).exists()
        role_revoke(user=counselor, role=Role.COUNSELOR)
        assert not EntryShareKey.objects.filter(counselor=counselor).exists()
        assert Entry.objects.filter(pk=entry.pk).exists()

    def test_a_new_threshold_starts_new_matches(
        self, personas, other_survivor, settings
    ):
        """Entries made under different thresholds lie on different
        polynomials: they never make one match together."""
        name(personas["survivor"], "07911 123456")
        settings.MATCHING_THRESHOLD = 3
        assert name(other_survivor, "07911 123456").match_id is None
        assert not Match.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_no_identifier_or_its_hash_is_in_the_raw_database(raw_database):
    """Given entries naming a canary e-mail address, the raw database (as a
    copy or a dump would hold it) holds neither the address, nor its
    normalized form, nor the plain SHA-256 of either, nor the contact
    details given."""
    from faced.demo.personas import create_personas
    from faced.matching.normalize import normalize

    users = create_personas(password=PASSWORD)
    canary = "Canary.Kittiwake+tag@Example.org"
    for user in (users["survivor"], users["survivor2"]):
        entry_add(
            owner=user,
            keys=keys_of(user),
            kind="email",
            value=canary,
            contact="Kittiwake-contact 4471",
        )
    assert Match.objects.count() == 1
    raw = raw_database().lower()
    normalized = normalize("email", canary)
    for text in (canary, normalized, normalized.split(":", 1)[1]):
        assert text.lower().encode() not in raw
        for digest in (
            hashlib.sha256(text.encode()).hexdigest(),
            hashlib.sha256(text.lower().encode()).hexdigest(),
        ):
            assert digest.encode() not in raw
            assert bytes.fromhex(digest) not in raw_database()
    assert b"kittiwake" not in raw


class ProbingTests:
    def test_adding_never_says_whether_someone_was_named(
        self, personas, other_survivor, client
    ):
        """Given a person already named by a survivor, when someone else
        names them through the page, the page answers exactly as it does
        for a person nobody named, and shows the entry as waiting."""
        from faced.conftest import sign_in

        name(personas["survivor"], "07911 123456")
        sign_in(client, other_survivor, with_keys=True)
        answers = []
        for value in ("07911 123456", "07911 123457"):
            response = client.post(
                "/my/escrow/add/",
                {"kind": "phone", "value": value, "contact": "x"},
                follow=True,
            )
            answers.append(response.content.decode())
        for page in answers:
            assert "Stored, locked." in page
            assert (
                "A counselor will get in touch with you, the way" not in page
            )
        assert Match.objects.count() == 1

    def test_additions_are_rationed(self, personas, settings):
        settings.MATCHING_ENTRIES_PER_DAY = 2
        survivor = personas["survivor"]
        name(survivor, "a@example.org", kind="email")
        entry_withdraw(
            entry=name(survivor, "b@example.org", kind="email"), owner=survivor
        )
        with pytest.raises(MatchingError, match="tomorrow"):
            name(survivor, "c@example.org", kind="email")
        assert Entry.objects.count() == 1

    def test_the_key_and_a_right_guess_without_a_counselor_open_nothing(
        self, personas
    ):
        """Given the matching key and a correct guess of the identifier,
        someone without a counselor's private key derives the shares' key,
        yet cannot open the entry: its own key is sealed to counselors."""
        from faced.crypto import shamir
        from faced.crypto.envelope import DecryptionError, decrypt
        from faced.matching.keyservice import oprf_outputs
        from faced.matching.normalize import normalize
        from faced.matching.sealing import associated_data
        from faced.matching.services import derive

        entry = name(personas["survivor"], "07911 123456")
        (output,) = oprf_outputs(
            [normalize("phone", "07911 123456", region="GB").encode()]
        )
        index, k = derive(output)
        assert index == entry.index
        shared_key = shamir.secret_key(k, entry.threshold)
        with pytest.raises(DecryptionError):
            decrypt(
                shared_key,
                bytes(entry.payload_ciphertext),
                associated_data=associated_data(entry.pk, "payload"),
            )
