"""Signing as the sender does, checking as a receiver does. No database."""

import pytest

from webhooks import signing

BODY = b'{"event":"lead.qualified","leads":[]}'
NOW = 1_800_000_000


def _header(secret="whsec_one", timestamp=NOW, body=BODY):
    return signing.signature_header(secrets=[secret], timestamp=timestamp, body=body)


def test_it_signs_the_timestamp_and_the_raw_body_with_hmac_sha256():
    import hashlib
    import hmac

    expected = hmac.new(b"whsec_one", f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()

    assert _header() == f"t={NOW},v1={expected}"


@pytest.mark.parametrize(
    ("header", "body", "secret", "now", "valid"),
    [
        pytest.param(_header(), BODY, "whsec_one", NOW, True, id="as sent"),
        pytest.param(_header(), BODY, "whsec_one", NOW + 300, True, id="five minutes later"),
        pytest.param(_header(), BODY, "whsec_one", NOW + 301, False, id="replayed later"),
        pytest.param(_header(), BODY, "whsec_one", NOW - 301, False, id="from the future"),
        pytest.param(_header(), BODY + b" ", "whsec_one", NOW, False, id="body changed"),
        pytest.param(_header(), BODY, "whsec_two", NOW, False, id="other secret"),
        pytest.param(_header(timestamp=NOW - 10), BODY, "whsec_one", NOW, True, id="ten seconds old"),
        pytest.param(_header().replace(f"t={NOW}", f"t={NOW + 1}"), BODY, "whsec_one", NOW, False, id="time changed"),
        pytest.param("", BODY, "whsec_one", NOW, False, id="no header"),
        pytest.param(f"t={NOW}", BODY, "whsec_one", NOW, False, id="no signature"),
        pytest.param("v1=abc", BODY, "whsec_one", NOW, False, id="no time"),
        pytest.param("t=soon,v1=abc", BODY, "whsec_one", NOW, False, id="time not a number"),
    ],
)
def test_a_receiver_accepts_only_a_fresh_signature_of_the_same_body_and_secret(header, body, secret, now, valid):
    assert signing.verify(header=header, body=body, secret=secret, now=now) is valid


def test_after_a_rotation_either_secret_verifies():
    header = signing.signature_header(secrets=["whsec_new", "whsec_old"], timestamp=NOW, body=BODY)

    assert signing.verify(header=header, body=BODY, secret="whsec_new", now=NOW)
    assert signing.verify(header=header, body=BODY, secret="whsec_old", now=NOW)
    assert not signing.verify(header=header, body=BODY, secret="whsec_other", now=NOW)


def test_each_new_secret_is_long_and_different():
    first, second = signing.secret_new(), signing.secret_new()

    assert first != second
    assert first.startswith("whsec_")
    assert len(first) > 40
