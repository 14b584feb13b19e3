"""Password hashing (argon2) and the password rule."""
from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from errors import HavenError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MIN_STRENGTH_SCORE = 4  # zxcvbn's top score: at least 10^10 guesses by its estimate
_CHECKED_LENGTH = 72  # zxcvbn's own limit; the start of a longer password is judged
_hasher = PasswordHasher()


class WeakPassword(HavenError, ValueError):
    pass


def check_password_rule(password: str, *, user_inputs: Iterable[str] = ()) -> None:
    """Refuses short passwords and those a guesser tries early: well-known ones, repeats, sequences, keyboard
    patterns, dates, and words from the account itself (its user name, its e-mail address, "haven")."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"The password must have at most {MAX_PASSWORD_LENGTH} characters.")
    if password.strip() != password or not password.strip():
        raise WeakPassword("The password must not start or end with spaces.")
    inputs = ["haven", *(word for word in user_inputs if word)]
    verdict = zxcvbn(password[:_CHECKED_LENGTH], user_inputs=inputs)
    if verdict["score"] < MIN_STRENGTH_SCORE:
        advice = " ".join(filter(None, [verdict["feedback"].get("warning") or "",
                                        *verdict["feedback"].get("suggestions", [])]))
        raise WeakPassword("This password is too easy to guess" + (f": {advice}" if advice else ".")
                           + " A few unrelated words make a strong one, for example four words and a number.")


def hash_password(password: str, *, user_inputs: Iterable[str] = ()) -> str:
    check_password_rule(password, user_inputs=user_inputs)
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Checks a password; without a stored hash it checks against DUMMY_HASH, so that it takes as long."""
    try:
        return _hasher.verify(password_hash or DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# A real hash checked when the user does not exist or has no password, so every path takes the same time.
DUMMY_HASH = _hasher.hash("haven-timing-equaliser-password")
