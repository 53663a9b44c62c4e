"""Key custody: only the person's password or recovery key opens their
keys; the session keeps them only together with the person's cookie."""

import base64

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from faced.accounts.custody import (
    CustodyError,
    keys_recover,
    keys_unlock,
    password_change,
    password_choose_first,
    receipt_create,
    receipt_open,
)
from faced.accounts.models import KeyCustody, ReceiptIdentity, ReceiptSalt
from faced.accounts.services import user_create
from faced.accounts.session_keys import COOKIE_NAME, SESSION_FIELD
from faced.conftest import PASSWORD, sign_in
from faced.crypto.envelope import DecryptionError, decrypt
from faced.crypto.keys import (
    DerivationCost,
    derive_wrapping_key,
    recovery_wrapping_key,
    unwrap_keys,
)
from faced.crypto.receipts import derive_receipt_keys

NEW_PASSWORD = "a brand new passphrase 42"


@pytest.fixture(autouse=True)
def empty_cache(db):
    cache.clear()
    yield
    cache.clear()


def forms_of(secret: bytes) -> list[str]:
    """How a key could appear in a dump: hex, base64, or raw bytes."""
    return [
        secret.hex(),
        base64.b64encode(secret).decode(),
        base64.urlsafe_b64encode(secret).decode(),
        repr(secret)[2:-1],
    ]


class KeyCreationTests:
    def test_every_persona_has_keys_that_their_password_opens(self, personas):
        for user in personas.values():
            keys = keys_unlock(user=user, password=PASSWORD)
            custody = KeyCustody.objects.get(user=user)
            assert keys.box_public_key == bytes(custody.box_public_key)
            assert keys.verify_key == bytes(custody.verify_key)

    def test_it_refuses_a_wrong_password(self, personas):
        with pytest.raises(CustodyError):
            keys_unlock(user=personas["committee1"], password="wrong")

    def test_the_database_holds_no_private_key(
        self, personas, raw_database_text
    ):
        """Given every persona's keys, a raw dump of every table contains
        none of their private halves in any common encoding."""
        dump = raw_database_text()
        for user in personas.values():
            keys = keys_unlock(user=user, password=PASSWORD)
            for secret in (keys.box_private_key, keys.signing_seed):
                for form in forms_of(secret):
                    assert form not in dump

    def test_nothing_the_server_holds_opens_the_keys(self, personas):
        """Given everything the server holds (its secret key, the salts,
        the wrapped keys), the private keys do not open without the
        person's password or recovery key."""
        user = personas["committee1"]
        custody = KeyCustody.objects.get(user=user)
        cost = DerivationCost(
            custody.password_opslimit, custody.password_memlimit
        )
        candidates = [
            settings.SECRET_KEY,
            "",
            user.username,
            user.password,  # the password hash itself
            bytes(custody.password_salt).hex(),
        ]
        for candidate in candidates:
            for wrapped, purpose in (
                (custody.wrapped_by_password, "password"),
                (custody.wrapped_by_recovery, "recovery"),
            ):
                with pytest.raises(DecryptionError):
                    unwrap_keys(
                        bytes(wrapped),
                        derive_wrapping_key(
                            candidate, bytes(custody.password_salt), cost
                        ),
                        associated_data=(
                            f"faced person keys|{user.pk}|{purpose}".encode()
                        ),
                    )

    def test_wrapped_keys_do_not_open_on_another_row(self, personas):
        """Wrapped keys copied onto another person's row do not open."""
        mine = KeyCustody.objects.get(user=personas["committee1"])
        theirs = KeyCustody.objects.get(user=personas["committee2"])
        theirs.wrapped_by_password = mine.wrapped_by_password
        theirs.password_salt = mine.password_salt
        theirs.save()
        with pytest.raises(CustodyError):
            keys_unlock(user=personas["committee2"], password=PASSWORD)


class PasswordTests:
    def test_it_rewraps_on_password_change(self, personas):
        user = personas["committee1"]
        before = keys_unlock(user=user, password=PASSWORD)
        password_change(
            user=user, current_password=PASSWORD, new_password=NEW_PASSWORD
        )
        with pytest.raises(CustodyError):
            keys_unlock(user=user, password=PASSWORD)
        after = keys_unlock(user=user, password=NEW_PASSWORD)
        assert after.to_bytes() == before.to_bytes()
        assert user.check_password(NEW_PASSWORD)

    def test_it_refuses_a_wrong_current_password(self, personas):
        user = personas["committee1"]
        with pytest.raises(CustodyError):
            password_change(
                user=user, current_password="no", new_password=NEW_PASSWORD
            )
        assert keys_unlock(user=user, password=PASSWORD) is not None

    def test_the_operator_first_password_never_opens_keys(self, db):
        """Given an account the operator made with a temporary password,
        no keys exist until the person chooses their own password, and the
        temporary one never opens them."""
        user, recovery = user_create(
            username="newbie", password="operator knows this", temporary=True
        )
        assert recovery is None
        assert not KeyCustody.objects.filter(user=user).exists()
        keys, recovery_key = password_choose_first(
            user=user, new_password=NEW_PASSWORD
        )
        with pytest.raises(CustodyError):
            keys_unlock(user=user, password="operator knows this")
        assert keys_unlock(user=user, password=NEW_PASSWORD) == keys
        assert len(recovery_key.split("-")) == 13


class RecoveryTests:
    def test_it_recovers_with_the_recovery_key(self, db):
        user, recovery_key = user_create(
            username="forgetful", password="first passphrase 1"
        )
        before = keys_unlock(user=user, password="first passphrase 1")
        keys, new_recovery_key = keys_recover(
            user=user,
            recovery_key=recovery_key.lower().replace("-", " "),
            new_password=NEW_PASSWORD,
        )
        assert keys == before
        assert keys_unlock(user=user, password=NEW_PASSWORD) == before
        assert new_recovery_key != recovery_key
        # The used recovery key is spent; the new one works.
        with pytest.raises(CustodyError):
            keys_recover(
                user=user,
                recovery_key=recovery_key,
                new_password="yet another phrase 9",
            )
        custody = KeyCustody.objects.get(user=user)
        assert (
            unwrap_keys(
                bytes(custody.wrapped_by_recovery),
                recovery_wrapping_key(new_recovery_key),
                associated_data=(
                    f"faced person keys|{user.pk}|recovery".encode()
                ),
            )
            == before
        )

    @pytest.mark.parametrize("bad_key", ["", "ABCD-EFGH", "!!!!", "A" * 52])
    def test_it_refuses_a_wrong_recovery_key(self, personas, bad_key):
        user = personas["survivor"]
        with pytest.raises(CustodyError):
            keys_recover(
                user=user, recovery_key=bad_key, new_password=NEW_PASSWORD
            )
        assert user.check_password(PASSWORD)


class SessionKeysTests:
    def test_the_session_alone_yields_nothing(self, personas):
        """Given a stolen session row (but not the person's cookie), the
        encrypted keys in it do not open."""
        client = sign_in(Client(), personas["committee1"], with_keys=True)
        session = Session.objects.get(session_key=client.session.session_key)
        stored = session.get_decoded()[SESSION_FIELD]
        keys = keys_unlock(user=personas["committee1"], password=PASSWORD)
        for secret in (keys.box_private_key, keys.signing_seed):
            for form in forms_of(secret):
                assert form not in repr(session.get_decoded())
        for guess in (b"\0" * 32, settings.SECRET_KEY.encode()[:32]):
            with pytest.raises(DecryptionError):
                decrypt(guess, base64.b64decode(stored))

    def test_the_cookie_alone_yields_nothing(self, personas):
        """Given the keys cookie but a new session (the old one ended),
        no keys are found."""
        client = sign_in(Client(), personas["committee1"], with_keys=True)
        cookie = client.cookies[COOKIE_NAME].value
        client.post("/signout/")
        thief = sign_in(Client(), personas["committee1"])
        thief.cookies[COOKIE_NAME] = cookie
        assert SESSION_FIELD not in thief.session

    def test_sign_in_keeps_the_keys_for_the_session(self, personas):
        """A sign-in through the pages unwraps the keys into the session
        and sets the keys cookie, HttpOnly."""
        client = Client()
        client.post("/signin/", {"username": "survivor", "password": PASSWORD})
        assert SESSION_FIELD in client.session
        cookie = client.cookies[COOKIE_NAME]
        assert cookie["httponly"]
        from django.test import RequestFactory

        from faced.accounts.session_keys import session_keys

        request = RequestFactory().get("/")
        request.session = client.session
        request.user = personas["survivor"]
        request.COOKIES[COOKIE_NAME] = cookie.value
        keys = session_keys(request)
        assert keys == keys_unlock(
            user=personas["survivor"], password=PASSWORD
        )

    def test_sign_out_wipes_the_keys(self, personas):
        client = Client()
        client.post("/signin/", {"username": "survivor", "password": PASSWORD})
        session_key = client.session.session_key
        response = client.post("/signout/")
        assert response.cookies[COOKIE_NAME].value == ""
        assert not Session.objects.filter(session_key=session_key).exists()

    def test_the_idle_timeout_and_quick_exit_wipe_the_keys(
        self, personas, settings
    ):
        import time

        from faced.accounts.middleware import LAST_SEEN_KEY

        for leave in ("idle", "quick exit"):
            client = sign_in(Client(), personas["survivor"], with_keys=True)
            session_key = client.session.session_key
            if leave == "idle":
                session = client.session
                session[LAST_SEEN_KEY] = time.time() - 31 * 60
                session.save()
                response = client.get("/my/")
            else:
                response = client.get("/leave/")
            assert response.cookies[COOKIE_NAME].value == "", leave
            assert not Session.objects.filter(
                session_key=session_key
            ).exists(), leave


class ReceiptTests:
    def test_a_receipt_opens_its_identity_and_nothing_is_kept(
        self, db, raw_database_text
    ):
        receipt, _identity, keys = receipt_create()
        assert len(receipt.split()) == 7
        identity, opened = receipt_open("  " + receipt.upper() + "\n")
        assert opened.box_private_key == keys.box_private_key
        assert bytes(identity.box_public_key) == keys.box_public_key
        dump = raw_database_text()
        assert receipt not in dump
        for word in receipt.split():
            assert f"'{word}'" not in dump
        for form in forms_of(keys.box_private_key):
            assert form not in dump

    def test_it_refuses_a_wrong_receipt_plainly(self, db):
        receipt, _identity, _keys = receipt_create()
        words = receipt.split()
        words[0] = "abacus" if words[0] != "abacus" else "zoom"
        with pytest.raises(CustodyError, match="does not open anything"):
            receipt_open(" ".join(words))
        with pytest.raises(CustodyError, match="not in any receipt"):
            receipt_open("correct horse battery staple xyzzy foo bar")
        with pytest.raises(CustodyError, match="has 7 words"):
            receipt_open(" ".join(words[:5]))
        assert ReceiptIdentity.objects.count() == 1

    def test_it_throttles_receipt_guessing(self, db, settings):
        settings.RECEIPT_MAX_FAILURES_PER_MINUTE = 3
        receipt, _identity, _keys = receipt_create()
        wrong = " ".join(["abacus"] * 7)
        for _attempt in range(3):
            with pytest.raises(CustodyError, match="does not open"):
                receipt_open(wrong)
        with pytest.raises(CustodyError, match="pausing"):
            receipt_open(receipt)

    def test_the_salt_makes_lookup_ids_differ(self, db):
        receipt, identity, _keys = receipt_create()
        salt = ReceiptSalt.objects.get(pk=1)
        cost = DerivationCost(salt.opslimit, salt.memlimit)
        same = derive_receipt_keys(receipt, bytes(salt.salt), cost)
        other = derive_receipt_keys(receipt, b"\1" * 16, cost)
        assert same.lookup_id.hex() == identity.lookup_id
        assert other.lookup_id != same.lookup_id
