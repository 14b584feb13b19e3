"""User accounts, memberships and sign-in with lock-out."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from accounts.passwords import DUMMY_HASH, hash_password, password_matches
from accounts.permissions import ROLES, Principal, require
from services.errors import NotFound, ServiceError
from storage.audit import append_audit
from storage.models import Membership, Organisation, User, utc_now

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,79}$")
LOCKOUT_FAILURES = 5
LOCKOUT_MINUTES = 15


@dataclass(frozen=True)
class SignInResult:
    principal: Principal | None
    message: str


def count_users(session: Session) -> int:
    return len(session.exec(select(User.id)).all())


def principal_for(session: Session, user: User) -> Principal:
    memberships = session.exec(select(Membership).where(Membership.user_id == user.id)).all()
    return Principal(
        user_id=user.id,
        username=user.username,
        is_admin=user.is_admin,
        memberships=tuple(sorted(((m.organisation_id, m.role) for m in memberships), key=lambda m: (m[0] or 0, m[1]))),
    )


def create_user(
    session: Session, principal: Principal, *, username: str, password: str | None, role: str | None = None,
    organisation_slug: str | None = None, is_admin: bool = False, display_name: str = "", email: str | None = None,
) -> User:
    """Adds a user (and a membership when a role is given). The first user may be created by anyone."""
    if count_users(session) > 0:
        require(principal, "manage_users")
    username = username.strip()
    if not USERNAME_PATTERN.match(username):
        raise ServiceError("A user name has 2 to 80 letters, digits, dots, dashes, @ or underscores.")
    if session.exec(select(User).where(User.username == username)).first():
        raise ServiceError(f"The user name '{username}' is already taken.")
    if email and session.exec(select(User).where(User.email == email.strip().lower())).first():
        raise ServiceError("That e-mail address belongs to another user.")
    if role is not None and role not in ROLES:
        raise ServiceError(f"Unknown role '{role}': choose one of {', '.join(ROLES)}.")
    organisation = _organisation_for(session, organisation_slug) if organisation_slug else None
    user = User(
        username=username, display_name=display_name.strip() or username, is_admin=is_admin,
        email=email.strip().lower() if email else None,
        password_hash=hash_password(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    if role:
        session.add(Membership(user_id=user.id, organisation_id=organisation.id if organisation else None, role=role))
    append_audit(session, actor=principal.username, action="user.create", target=username,
                 organisation_id=organisation.id if organisation else None,
                 detail={"role": role, "organisation": organisation_slug, "admin": is_admin})
    session.flush()
    return user


def _organisation_for(session: Session, slug: str) -> Organisation:
    organisation = session.exec(select(Organisation).where(Organisation.slug == slug)).first()
    if organisation is None:
        raise NotFound(f"No organisation with the id '{slug}'.")
    return organisation


def set_membership(session: Session, principal: Principal, *, user_id: int, role: str, organisation_id: int | None) -> None:
    require(principal, "manage_users")
    if role not in ROLES:
        raise ServiceError(f"Unknown role '{role}'.")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    existing = session.exec(
        select(Membership).where(Membership.user_id == user_id, Membership.organisation_id == organisation_id)
    ).first()
    if existing:
        existing.role = role
        session.add(existing)
    else:
        session.add(Membership(user_id=user_id, organisation_id=organisation_id, role=role))
    append_audit(session, actor=principal.username, action="membership.set", target=user.username,
                 organisation_id=organisation_id, detail={"role": role})


def remove_membership(session: Session, principal: Principal, *, membership_id: int) -> None:
    require(principal, "manage_users")
    membership = session.get(Membership, membership_id)
    if membership is None:
        raise NotFound("No such membership.")
    user = session.get(User, membership.user_id)
    session.delete(membership)
    append_audit(session, actor=principal.username, action="membership.remove", target=user.username if user else "",
                 organisation_id=membership.organisation_id, detail={"role": membership.role})


def set_user_active(session: Session, principal: Principal, *, user_id: int, active: bool) -> None:
    require(principal, "manage_users")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    if user.id == principal.user_id and not active:
        raise ServiceError("You cannot deactivate your own account.")
    user.active = active
    if active:
        user.failed_logins, user.locked_until = 0, None
    session.add(user)
    append_audit(session, actor=principal.username, action="user.activate" if active else "user.deactivate",
                 target=user.username)


def sign_in(session: Session, *, username: str, password: str, now: datetime | None = None) -> SignInResult:
    """Checks a password; five failures lock the account for fifteen minutes."""
    now = now or utc_now()
    user = session.exec(select(User).where(User.username == username.strip())).first()
    refusal = "The user name or password is wrong."
    if user is None or not user.active:
        password_matches(DUMMY_HASH, password)
        append_audit(session, actor=username.strip()[:80] or "(blank)", action="login.failure", detail={"reason": "unknown user"})
        return SignInResult(None, refusal)
    if user.locked_until and user.locked_until > now:
        append_audit(session, actor=user.username, action="login.failure", detail={"reason": "locked"})
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return SignInResult(None, f"Too many failed attempts: this account is locked for {minutes} more minutes.")
    if not password_matches(user.password_hash, password):
        user.failed_logins += 1
        detail = {"reason": "wrong password", "failures": user.failed_logins}
        if user.failed_logins >= LOCKOUT_FAILURES:
            user.locked_until = now + timedelta(minutes=LOCKOUT_MINUTES)
            user.failed_logins = 0
            detail["locked_until"] = user.locked_until.isoformat()
            refusal = f"Too many failed attempts: this account is locked for {LOCKOUT_MINUTES} minutes."
        session.add(user)
        append_audit(session, actor=user.username, action="login.failure", detail=detail)
        return SignInResult(None, refusal)
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    append_audit(session, actor=user.username, action="login.success")
    return SignInResult(principal_for(session, user), "Signed in.")


def sign_in_by_email(session: Session, *, email: str) -> SignInResult:
    """For OIDC: the identity provider vouched for the e-mail address."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.active:
        append_audit(session, actor=email[:80], action="login.failure", detail={"reason": "no user with this e-mail"})
        return SignInResult(None, "No active Haven account has this e-mail address. Ask your administrator.")
    append_audit(session, actor=user.username, action="login.success", detail={"method": "oidc"})
    return SignInResult(principal_for(session, user), "Signed in.")


def list_users(session: Session, principal: Principal) -> list[dict]:
    require(principal, "manage_users")
    organisations = {o.id: o.slug for o in session.exec(select(Organisation))}
    rows = []
    for user in session.exec(select(User).order_by(User.username)):
        memberships = session.exec(select(Membership).where(Membership.user_id == user.id)).all()
        rows.append({
            "id": user.id, "username": user.username, "display_name": user.display_name, "email": user.email or "",
            "admin": user.is_admin, "active": user.active,
            "locked": bool(user.locked_until and user.locked_until > utc_now()),
            "memberships": [
                {"id": m.id, "organisation": organisations.get(m.organisation_id, "every organisation") if m.organisation_id else "every organisation",
                 "role": m.role}
                for m in memberships
            ],
        })
    return rows
