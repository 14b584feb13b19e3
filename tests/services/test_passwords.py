import pytest
from argon2 import extract_parameters

from accounts.passwords import MIN_PASSWORD_LENGTH, WeakPassword, hash_password, password_matches


@pytest.mark.real_argon2
def test_passwords_are_stored_as_argon2id_at_a_production_cost():
    stored = hash_password("a long enough passphrase")
    parameters = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert parameters.memory_cost >= 19 * 1024 and parameters.time_cost >= 2
    assert password_matches(stored, "a long enough passphrase")
    assert not password_matches(stored, "a long enough passphrasE")


def test_a_short_password_is_refused():
    with pytest.raises(WeakPassword, match=f"at least {MIN_PASSWORD_LENGTH} characters"):
        hash_password("x" * (MIN_PASSWORD_LENGTH - 1))


@pytest.mark.parametrize("password", [
    "password12345",       # well known
    "aaaaaaaaaaaaaaaa",    # repetitive
    "abcabcabcabcabc",     # repeated sequence
    "qwertyuiop[]",        # keyboard row
    "1qaz2wsx3edc4rfv",    # keyboard pattern
    "123456789012",        # digits in order
    "iloveyou2026!",       # common phrase and a year
    "x" * 2000,            # repetitive, and beyond the length anyone types
])
def test_passwords_a_guesser_tries_early_are_refused_with_a_reason(password):
    with pytest.raises(WeakPassword) as refusal:
        hash_password(password)
    assert "characters" in str(refusal.value) or str(refusal.value).startswith("This password is too easy to guess")


def test_a_password_made_of_the_user_name_is_refused():
    hash_password("amira.okafor.2026")
    with pytest.raises(WeakPassword, match="too easy to guess"):
        hash_password("amira.okafor.2026", user_inputs=["amira.okafor", "amira@harbour.example"])


@pytest.mark.parametrize("password", ["correct horse battery staple", "a long enough passphrase",
                                      "Kettle-orbit-Plum-93", "wardrobe lantern seventeen"])
def test_passphrases_are_accepted(password):
    assert password_matches(hash_password(password), password)
