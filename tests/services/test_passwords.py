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
