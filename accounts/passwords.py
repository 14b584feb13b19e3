"""Password hashing (argon2) and the password rule."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from errors import HavenError

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()


class WeakPassword(HavenError, ValueError):
    pass


def check_password_rule(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if password.strip() != password or not password.strip():
        raise WeakPassword("The password must not start or end with spaces.")


def hash_password(password: str) -> str:
    check_password_rule(password)
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# A real hash checked when the user does not exist, so both paths take the same time.
DUMMY_HASH = _hasher.hash("haven-timing-equaliser-password")
