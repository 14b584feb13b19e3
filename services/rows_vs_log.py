"""The rows that decide scores and what leaves Haven, checked against the audit log that recorded them.

Every rating, review, evidence revision (with the SHA-256 of its file and thumbnail), classification and account
(administrator flag, active flag, roles, and fingerprints of its password hash and e-mail address) is
written by a service that appends an audit entry in the same transaction, and the log is keyed and anchored
(storage.audit). So a row that differs from what the log says was changed outside Haven: a rating set to
`met` in the database, a review inserted by hand, a revision pointed at another file, an administrator flag or a
membership of another organisation given in the database, an administrator's password hash replaced.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, select

from storage.audit import text_digest
from storage.models import (
    AssessmentCycle,
    AuditEntry,
    Evidence,
    EvidenceLink,
    EvidenceRevision,
    Membership,
    Organisation,
    Rating,
    Review,
    User,
)

_MISSING = object()


@dataclass(frozen=True)
class _Logged:
    detail: dict
    entry_id: int


ACCOUNT_ACTIONS = ("user.create", "user.activate", "user.deactivate", "user.admin_grant", "user.admin_revoke",
                   "user.password_reset", "membership.set", "membership.remove")


def check_rows_against_log(session: Session) -> list[str]:
    entries = session.exec(select(AuditEntry).where(AuditEntry.action.in_(
        ("rating.set", "review.accepted", "review.rejected", "evidence.add", "evidence.revise", "evidence.classify",
         "evidence.link", "evidence.unlink", *ACCOUNT_ACTIONS)
    )).order_by(AuditEntry.id)).all()
    faults: list[str] = []
    faults += _ratings(session, [e for e in entries if e.action == "rating.set"])
    faults += _reviews(session, [e for e in entries if e.action.startswith("review.")])
    faults += _revisions(session, [e for e in entries if e.action in ("evidence.add", "evidence.revise")])
    faults += _classifications(session, [e for e in entries if e.action in ("evidence.add", "evidence.classify")])
    faults += _links(session, [e for e in entries if e.action in ("evidence.add", "evidence.link", "evidence.unlink")])
    faults += _accounts(session, [e for e in entries if e.action in ACCOUNT_ACTIONS])
    return faults


def _detail(entry: AuditEntry) -> dict:
    try:
        detail = json.loads(entry.detail)
    except ValueError:
        return {}
    return detail if isinstance(detail, dict) else {}


def _evidence_id(entry: AuditEntry) -> int | None:
    kind, _, number = entry.target.partition(":")
    return int(number) if kind == "evidence" and number.isdigit() else None


def _ratings(session: Session, entries: list[AuditEntry]) -> list[str]:
    cycles = {c.id: c for c in session.exec(select(AssessmentCycle))}
    cycles_of: dict[int, list[int]] = {}
    for cycle in cycles.values():
        cycles_of.setdefault(cycle.organisation_id, []).append(cycle.id)
    slugs = dict(session.exec(select(Organisation.id, Organisation.slug)).all())
    logged: dict[tuple[int, str], _Logged] = {}
    for entry in entries:
        detail = _detail(entry)
        cycle_id = detail.get("cycle")
        if cycle_id is None and len(cycles_of.get(entry.organisation_id, [])) == 1:
            cycle_id = cycles_of[entry.organisation_id][0]  # recorded before entries named their cycle
        if cycle_id is not None:
            logged[(cycle_id, entry.target)] = _Logged(detail, entry.id)
    faults = []
    seen = set()
    for row in session.exec(select(Rating).order_by(Rating.id)):
        seen.add((row.cycle_id, row.action_id))
        cycle = cycles.get(row.cycle_id)
        where = f"rating of {row.action_id} in {slugs.get(cycle.organisation_id, '?') if cycle else '?'}"
        record = logged.get((row.cycle_id, row.action_id))
        if record is None:
            faults.append(f"{where} is '{row.rating}', but the audit log never recorded it (written outside Haven)")
            continue
        detail = record.detail
        if detail.get("to") != row.rating or detail.get("owner", row.owner) != row.owner or \
                detail.get("justification", text_digest(row.justification)) != text_digest(row.justification):
            faults.append(f"{where} is '{row.rating}', but audit entry {record.entry_id} set it to "
                          f"'{detail.get('to')}' (changed outside Haven)")
    for (cycle_id, action_id), record in logged.items():
        if (cycle_id, action_id) not in seen and record.detail.get("to") not in (None, "not_assessed"):
            faults.append(f"rating of {action_id} set by audit entry {record.entry_id} is missing from the database")
    return faults


def _reviews(session: Session, entries: list[AuditEntry]) -> list[str]:
    logged = Counter((_evidence_id(e), _detail(e).get("revision"), e.action.removeprefix("review.")) for e in entries)
    rows = Counter(session.exec(select(EvidenceRevision.evidence_id, EvidenceRevision.number, Review.status)
                                .join(Review, Review.revision_id == EvidenceRevision.id)).all())
    faults = [f"review '{status}' of evidence {evidence_id} revision {number} is not in the audit log "
              "(written outside Haven)" for (evidence_id, number, status) in sorted((rows - logged).elements())]
    faults += [f"review '{status}' of evidence {evidence_id} revision {number} in the audit log is missing from the "
               "database" for (evidence_id, number, status) in sorted((logged - rows).elements(), key=str)]
    return faults


def _revisions(session: Session, entries: list[AuditEntry]) -> list[str]:
    logged: dict[tuple[int | None, int | None], _Logged] = {}
    for entry in entries:
        detail = _detail(entry)
        number = 1 if entry.action == "evidence.add" else detail.get("revision")
        logged[(_evidence_id(entry), number)] = _Logged(detail, entry.id)
    faults = []
    seen = set()
    for row in session.exec(select(EvidenceRevision).order_by(EvidenceRevision.id)):
        seen.add((row.evidence_id, row.number))
        where = f"evidence {row.evidence_id} revision {row.number}"
        record = logged.get((row.evidence_id, row.number))
        if record is None:
            faults.append(f"{where} is not in the audit log (written outside Haven)")
            continue
        if record.detail.get("sha256") != row.blob_key:
            faults.append(f"{where} refers to the file {str(row.blob_key)[:12]}…, but audit entry {record.entry_id} "
                          f"recorded {str(record.detail.get('sha256'))[:12]}… (the file was swapped)")
        thumbnail = record.detail.get("thumbnail", _MISSING)
        if thumbnail is not _MISSING and thumbnail != row.thumbnail_key:
            faults.append(f"{where} refers to another thumbnail than audit entry {record.entry_id} recorded")
        stored = {"issued_on": row.issued_on.isoformat(),
                  "valid_until": row.valid_until.isoformat() if row.valid_until else None, "withheld": row.withheld}
        changed = [name for name, value in stored.items() if record.detail.get(name, value) != value]
        if changed:
            faults.append(f"{where} has another {' and '.join(changed)} than audit entry {record.entry_id} recorded "
                          "(changed outside Haven)")
    for (evidence_id, number), record in logged.items():
        if (evidence_id, number) not in seen:
            faults.append(f"evidence {evidence_id} revision {number} recorded by audit entry {record.entry_id} is "
                          "missing from the database")
    return faults


def _classifications(session: Session, entries: list[AuditEntry]) -> list[str]:
    logged: dict[int | None, _Logged] = {}
    for entry in entries:
        detail = _detail(entry)
        value = detail.get("classification") if entry.action == "evidence.add" else detail.get("to")
        logged[_evidence_id(entry)] = _Logged({"classification": value}, entry.id)
    types = {_evidence_id(e): _detail(e).get("type") for e in entries if e.action == "evidence.add"}
    faults = []
    for evidence in session.exec(select(Evidence).order_by(Evidence.id)):
        record = logged.get(evidence.id)
        if record is None:
            faults.append(f"evidence {evidence.id} is not in the audit log (written outside Haven)")
            continue
        if record.detail["classification"] != evidence.classification:
            faults.append(f"evidence {evidence.id} is {evidence.classification}, but audit entry {record.entry_id} "
                          f"made it {record.detail['classification']} (changed outside Haven)")
        if types.get(evidence.id, evidence.evidence_type) != evidence.evidence_type:
            faults.append(f"evidence {evidence.id} is of type {evidence.evidence_type}, but it was added as "
                          f"{types[evidence.id]} (changed outside Haven)")
    return faults


def _links(session: Session, entries: list[AuditEntry]) -> list[str]:
    expected: dict[int | None, set[str]] = {}
    for entry in entries:
        detail = _detail(entry)
        evidence_id = _evidence_id(entry)
        if entry.action == "evidence.add":
            expected[evidence_id] = set(detail.get("actions") or [])
        elif entry.action == "evidence.link":
            expected.setdefault(evidence_id, set()).add(detail.get("action"))
        else:
            expected.setdefault(evidence_id, set()).discard(detail.get("action"))
    held: dict[int | None, set[str]] = {}
    for evidence_id, action_id in session.exec(select(EvidenceLink.evidence_id, EvidenceLink.action_id)).all():
        held.setdefault(evidence_id, set()).add(action_id)
    faults = []
    for evidence_id in sorted(set(expected) | set(held), key=lambda i: (i is None, i)):
        extra = held.get(evidence_id, set()) - expected.get(evidence_id, set())
        gone = expected.get(evidence_id, set()) - held.get(evidence_id, set())
        if extra:
            faults.append(f"evidence {evidence_id} is linked to {', '.join(sorted(extra))} in the database, but the "
                          "audit log never linked it (changed outside Haven)")
        if gone:
            faults.append(f"evidence {evidence_id} is no longer linked to {', '.join(sorted(gone))}, but the audit log "
                          "never unlinked it (changed outside Haven)")
    return faults


@dataclass
class _Account:
    """An account as the log made it: flags, roles by organisation id (None: every organisation), fingerprints."""
    admin: object
    active: bool = True
    roles: dict = None  # type: ignore[assignment]
    password: object = _MISSING
    email: object = _MISSING


def _logged_accounts(entries: list[AuditEntry]) -> dict[str, _Account]:
    accounts: dict[str, _Account] = {}
    for entry in entries:
        detail = _detail(entry)
        if entry.action == "user.create":
            roles = {entry.organisation_id: detail["role"]} if detail.get("role") else {}
            accounts[entry.target] = _Account(admin=detail.get("admin", _MISSING), roles=roles,
                                              password=detail.get("password_fingerprint", _MISSING),
                                              email=detail.get("email_fingerprint", _MISSING))
            continue
        account = accounts.get(entry.target)
        if account is None:
            continue
        if entry.action in ("user.activate", "user.deactivate"):
            account.active = entry.action == "user.activate"
        elif entry.action in ("user.admin_grant", "user.admin_revoke"):
            account.admin = entry.action == "user.admin_grant"
        elif entry.action == "user.password_reset":
            account.password = detail.get("password_fingerprint", _MISSING)
        elif entry.action == "membership.set":
            account.roles[entry.organisation_id] = detail.get("role")
        else:
            account.roles.pop(entry.organisation_id, None)
    return accounts


def _accounts(session: Session, entries: list[AuditEntry]) -> list[str]:
    logged = _logged_accounts(entries)
    slugs = dict(session.exec(select(Organisation.id, Organisation.slug)).all())

    def where(organisation_id: int | None) -> str:
        return "every organisation" if organisation_id is None else slugs.get(organisation_id, f"organisation {organisation_id}")

    held_roles: dict[int, dict] = {}
    for membership in session.exec(select(Membership).order_by(Membership.id)):
        held_roles.setdefault(membership.user_id, {})[membership.organisation_id] = membership.role
    faults = []
    for user in session.exec(select(User).order_by(User.id)):
        name = f"account {user.username}"
        account = logged.get(user.username)
        if account is None:
            faults.append(f"{name} is not in the audit log (written outside Haven)")
            continue
        if account.admin is not _MISSING and bool(account.admin) != user.is_admin:
            faults.append(f"{name} is {'an administrator' if user.is_admin else 'not an administrator'}, but the audit "
                          "log never made it so (changed outside Haven)")
        if account.active != user.active:
            faults.append(f"{name} is {'active' if user.active else 'deactivated'}, but the audit log never made it so "
                          "(changed outside Haven)")
        held = held_roles.get(user.id, {})
        for organisation_id, role in held.items():
            if account.roles.get(organisation_id, _MISSING) != role:
                faults.append(f"{name} is {role} in {where(organisation_id)}, but the audit log never gave it that "
                              "role (changed outside Haven)")
        for organisation_id, role in account.roles.items():
            if organisation_id not in held:
                faults.append(f"{name} is no longer {role} in {where(organisation_id)}, but the audit log never "
                              "removed that role (changed outside Haven)")
        fingerprints = {"password": (account.password, user.password_hash), "e-mail address": (account.email, user.email)}
        for what, (recorded, value) in fingerprints.items():
            if recorded is not _MISSING and recorded != (text_digest(value) if value else None):
                faults.append(f"{name} has another {what} than the audit log recorded (changed outside Haven)")
    return faults
