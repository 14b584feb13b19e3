"""User accounts, memberships and sign-in with lock-out."""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from accounts.passwords import WeakPassword, hash_password
from accounts.permissions import ROLES, Principal, require
from services.errors import NotFound, ServiceError
from services.organisations import organisation_by_id
from storage.audit import append_audit, text_digest
from storage.db import lock_row
from storage.models import BrowserSession, Membership, Organisation, User, utc_now

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,79}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
    organisation_id: int | None = None, is_admin: bool = False, display_name: str = "", email: str | None = None,
) -> User:
    """Adds a user (and a membership when a role is given). The first user may be created by anyone.

    The password is checked and hashed before the first query, so no transaction is open while argon2 works."""
    password_hash = (_hash_or_refuse(password, username, email, display_name) if password is not None else None)
    if count_users(session) > 0:
        require(principal, "manage_users")
    username = username.strip()
    if not USERNAME_PATTERN.match(username):
        raise ServiceError("A user name has 2 to 80 letters, digits, dots, dashes, @ or underscores.")
    taken = session.exec(select(User.username).where(func.lower(User.username) == username.lower())).first()
    if taken is not None:  # "Quinn" beside "quinn" would sign reviews and audit entries as a lookalike
        raise ServiceError(f"The user name '{username}' is already taken"
                           + (f" (as '{taken}': names differing only in capitals are one name)." if taken != username
                              else "."))
    email = _clean_email(email)
    if email and session.exec(select(User).where(User.email == email)).first():
        raise ServiceError("That e-mail address belongs to another user.")
    if role is not None and role not in ROLES:
        raise ServiceError(f"Unknown role '{role}': choose one of {', '.join(ROLES)}.")
    organisation = organisation_by_id(session, organisation_id) if organisation_id is not None else None
    user = User(
        username=username, display_name=display_name.strip()[:200] or username, is_admin=is_admin, email=email,
        password_hash=password_hash,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as error:  # another session took the name or address a moment ago
        raise ServiceError(f"The user name '{username}' or its e-mail address is already taken.") from error
    if role:
        session.add(Membership(user_id=user.id, organisation_id=organisation.id if organisation else None, role=role))
    append_audit(session, actor=principal.username, action="user.create", target=username,
                 organisation_id=organisation.id if organisation else None,
                 detail={"role": role, "organisation": organisation.slug if organisation else None, "admin": is_admin,
                         **sign_in_fingerprints(password_hash, email)})
    session.flush()
    return user


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# Headers a reverse proxy adds for the client it passes on (nginx, Caddy, Apache and the like); a client cannot
# take away what the proxy adds, whatever Host it sends.
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip")


def is_loopback_host(host: str | None) -> bool:
    """Whether a Host header names this machine (any port): localhost, *.localhost, 127.x.x.x or [::1]."""
    if not host or "@" in host:
        return False
    name = urlsplit(f"//{host.strip()}").hostname or ""
    name = name.rstrip(".").lower()
    return (name in LOOPBACK_NAMES or name.endswith(".localhost")
            or bool(re.fullmatch(r"127(\.\d{1,3}){3}", name)))


def is_loopback_address(address: str | None) -> bool:
    """Whether a connection's peer address is this machine's loopback one (127.x.x.x, ::1, ::ffff:127.x.x.x)."""
    if not address:
        return False
    try:
        peer = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(peer, "ipv4_mapped", None)
    return (mapped or peer).is_loopback


@dataclass(frozen=True)
class BrowserRequest:
    """Where a browser's request says it comes from: the Host it asked for, whether a proxy passed it on, and the
    address its connection comes from (the TCP peer; None when unknown)."""

    host: str
    through_a_proxy: bool
    peer: str | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], peer: str | None = None) -> BrowserRequest:
        names = {name.lower(): value for name, value in headers.items()}
        return cls(host=names.get("host", ""), through_a_proxy=any(name in names for name in FORWARDING_HEADERS),
                   peer=peer)

    @property
    def on_this_machine(self) -> bool:
        """Connected from this machine's loopback address, asked for this machine by name and not passed on by a
        proxy. The Host is whatever the browser's side wrote: a computer elsewhere reaching a Haven that listens
        on more than 127.0.0.1 (a LAN address, a container's 0.0.0.0) can send `Host: localhost`, and through a
        proxy anyone on the internet can; the connection's own address cannot be written by the other side."""
        return is_loopback_address(self.peer) and is_loopback_host(self.host) and not self.through_a_proxy


def first_admin_elsewhere(port: int | None) -> str:
    """What a browser that is not on this machine is told instead of creating the first administrator."""
    address = f"http://localhost:{port}" if port else "http://localhost"
    return ("The first administrator is created only on the machine that runs Haven: open "
            f"{address} there, or run `python manage.py create-user NAME --admin --password-stdin`.")


def create_first_admin(session: Session, *, username: str, password: str, email: str | None = None,
                       display_name: str = "", browser: BrowserRequest | None = None,
                       port: int | None = None) -> Principal:
    """The first-run account; refused once any user exists, so a stale first-run form cannot add an admin.

    `browser`: the request of the browser that asks (None from the command line). Only a browser on the machine that
    runs Haven may claim it: a new Haven behind a proxy would otherwise go to whoever on the internet opens it
    first, and a web page on the manager's own computer could reach one on 127.0.0.1 by DNS rebinding (its own
    name, resolved to 127.0.0.1, with its own name as the Host)."""
    if count_users(session) > 0:
        raise ServiceError("This Haven already has an administrator: please sign in.")
    if browser is not None and not browser.on_this_machine:
        raise ServiceError(first_admin_elsewhere(port))
    user = create_user(session, Principal.system("first-run"), username=username, password=password, is_admin=True,
                       email=email, display_name=display_name)
    return principal_for(session, user)


def _clean_email(email: str | None) -> str | None:
    email = (email or "").strip().lower()
    if not email:
        return None
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise ServiceError(f"'{email[:80]}' is not an e-mail address.")
    return email


def sign_in_fingerprints(password_hash: str | None, email: str | None = None, *,
                         with_email: bool = True) -> dict[str, str | None]:
    """What the audit log keeps of what signs an account in (services.rows_vs_log checks the row against it): a
    short SHA-256 of the stored password hash (salted already, so it tells nothing of the password) and, with
    `with_email`, of the e-mail address single sign-on matches."""
    def fingerprint(value: str | None) -> str | None:
        return text_digest(value) if value else None
    return {"password_fingerprint": fingerprint(password_hash),
            **({"email_fingerprint": fingerprint(email)} if with_email else {})}


def _hash_or_refuse(password: str, *user_inputs: str | None) -> str:
    try:
        return hash_password(password, user_inputs=[word for word in user_inputs if word])
    except WeakPassword as error:
        raise ServiceError(str(error)) from error


def _user(session: Session, user_id: int) -> User:
    """The account, locked until commit: an administrator's change is made on the row as it is now."""
    user = lock_row(session, User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def set_membership(session: Session, principal: Principal, *, user_id: int, role: str, organisation_id: int | None) -> None:
    require(principal, "manage_users")
    if role not in ROLES:
        raise ServiceError(f"Unknown role '{role}'.")
    user = _user(session, user_id)
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise NotFound("No such organisation.")
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
    user = _user(session, user_id)
    if user.id == principal.user_id and not active:
        raise ServiceError("You cannot deactivate your own account.")
    user.active = active
    if active:
        user.failed_logins, user.locked_until = 0, None
    else:
        _end_browser_sessions(session, user.id)
    session.add(user)
    append_audit(session, actor=principal.username, action="user.activate" if active else "user.deactivate",
                 target=user.username)


def _end_browser_sessions(session: Session, user_id: int) -> None:
    """Every browser this user stays signed in with stops working at its next request (services.browser_sessions)."""
    session.exec(delete(BrowserSession).where(BrowserSession.user_id == user_id))


def set_user_admin(session: Session, principal: Principal, *, user_id: int, admin: bool) -> None:
    require(principal, "manage_users")
    user = _user(session, user_id)
    if user.id == principal.user_id and not admin:
        raise ServiceError("You cannot remove your own administrator rights; ask another administrator.")
    user.is_admin = admin
    session.add(user)
    append_audit(session, actor=principal.username, action="user.admin_grant" if admin else "user.admin_revoke",
                 target=user.username)


def unlock_user(session: Session, principal: Principal, *, user_id: int) -> None:
    """Lifts a lock-out before its fifteen minutes are over."""
    require(principal, "manage_users")
    user = _user(session, user_id)
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    append_audit(session, actor=principal.username, action="user.unlock", target=user.username)


def reset_password(session: Session, principal: Principal, *, user_id: int, password: str) -> None:
    """An administrator sets a new password; it also lifts a lock-out."""
    require(principal, "manage_users")
    user = _user(session, user_id)
    user.password_hash = _hash_or_refuse(password, user.username, user.email, user.display_name)
    user.failed_logins, user.locked_until = 0, None
    _end_browser_sessions(session, user.id)  # whoever knew the old password is signed out everywhere
    session.add(user)
    append_audit(session, actor=principal.username, action="user.password_reset", target=user.username,
                 detail=sign_in_fingerprints(user.password_hash, with_email=False))


def refreshed_principal(session: Session, principal: Principal) -> Principal | None:
    """The signed-in user as the database has them now: None once deactivated or deleted."""
    if principal.is_system or principal.user_id is None:
        return principal
    user = session.get(User, principal.user_id)
    if user is None or not user.active:
        return None
    return principal_for(session, user)


def email_vouched_for(claim: object) -> bool:
    """Whether the provider's `email_verified` claim says yes: true, or the word "true" (Cognito sends a string).
    A missing claim is no: a provider that lets its users type their own address and says nothing about it would
    otherwise hand any account to whoever types its address there (the "nOAuth" takeover)."""
    return claim is True or (isinstance(claim, str) and claim.strip().lower() == "true")


def sign_in_by_email(session: Session, *, email: str, email_verified: object) -> SignInResult:
    """For OIDC: the user whose e-mail address the identity provider vouched for (`email_verified`, as the
    provider sent the claim)."""
    email = (email or "").strip().lower()
    if not email or not email_vouched_for(email_verified):
        append_audit(session, actor=email[:80] or "(no e-mail)", action="login.failure",
                     detail={"method": "oidc", "reason": "no verified e-mail"})
        return SignInResult(None, "Your identity provider did not confirm an e-mail address, so Haven cannot "
                                  "find your account. Ask your administrator.")
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None or not user.active:
        append_audit(session, actor=email[:80], action="login.failure",
                     detail={"method": "oidc", "reason": "no active user with this e-mail"})
        return SignInResult(None, "No active Haven account has this e-mail address. Ask your administrator.")
    append_audit(session, actor=user.username, action="login.success", detail={"method": "oidc"})
    return SignInResult(principal_for(session, user), "Signed in.")


@dataclass(frozen=True)
class MembershipRow:
    """One role of a user, in one organisation or (organisation_id None) in every organisation."""

    id: int
    organisation_id: int | None
    role: str
    organisation: str  # the organisation's slug, or "every organisation"
    organisation_name: str


@dataclass(frozen=True)
class UserRow:
    """An account as the users screen shows it; never its password hash."""

    id: int
    username: str
    display_name: str
    email: str
    admin: bool
    active: bool
    locked: bool  # locked out after failed sign-ins, until locked_until
    locked_until: datetime | None
    password: bool  # has a Haven password (else signs in only with single sign-on)
    memberships: list[MembershipRow]

    @property
    def label(self) -> str:
        """The user name, with the display name when it says more, and whether the account is deactivated."""
        name = self.username if self.display_name in ("", self.username) else f"{self.username} ({self.display_name})"
        return name if self.active else f"{name}, deactivated"


def list_users(session: Session, principal: Principal) -> list[UserRow]:
    """Every account as plain data, never its password hash."""
    require(principal, "manage_users")
    now = utc_now()
    organisations = {o.id: o for o in session.exec(select(Organisation))}
    memberships: dict[int, list[Membership]] = {}
    for membership in session.exec(select(Membership).order_by(Membership.id)):
        memberships.setdefault(membership.user_id, []).append(membership)
    rows = []
    for user in session.exec(select(User).order_by(User.username)):
        locked = bool(user.locked_until and user.locked_until > now)
        rows.append(UserRow(
            id=user.id, username=user.username, display_name=user.display_name, email=user.email or "",
            admin=user.is_admin, active=user.active, locked=locked, locked_until=user.locked_until if locked else None,
            password=user.password_hash is not None,
            memberships=[_membership_row(m, organisations) for m in memberships.get(user.id, [])],
        ))
    return rows


def _membership_row(membership: Membership, organisations: dict[int, Organisation]) -> MembershipRow:
    organisation = organisations.get(membership.organisation_id) if membership.organisation_id else None
    return MembershipRow(
        id=membership.id, organisation_id=membership.organisation_id, role=membership.role,
        organisation=organisation.slug if organisation else "every organisation",
        organisation_name=organisation.name if organisation else "Every organisation",
    )
