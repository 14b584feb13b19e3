"""Who may do what, checked by every service before it reads or changes anything."""
from __future__ import annotations

from dataclasses import dataclass

from errors import HavenError

ROLES = ("manager", "reviewer", "board")

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "manager": frozenset({
        "view_scores", "view_evidence", "download_evidence", "rate", "upload", "link",
        "plan", "export", "snapshot", "start_cycle",
    }),
    "reviewer": frozenset({"view_scores", "view_evidence", "download_evidence", "review"}),
    "board": frozenset({"view_scores"}),
}
ADMIN_PERMISSIONS = frozenset({"manage_users", "view_audit", "verify", "export_restricted", "declassify"})
ADMIN_OVERSIGHT = frozenset({"view_scores"})  # an administrator oversees every organisation's scores
# Comparing the organisations of the network: a membership in every organisation that may see scores, or the admin flag.
NETWORK_PERMISSIONS = frozenset({"view_network"})


class PermissionDenied(HavenError, PermissionError):
    """The user's roles do not allow this; the message says what was refused."""


@dataclass(frozen=True)
class Principal:
    """The signed-in user as services see it: plain data, safe to keep in session state."""

    user_id: int | None
    username: str
    is_admin: bool = False
    memberships: tuple[tuple[int | None, str], ...] = ()
    is_system: bool = False

    @classmethod
    def system(cls, name: str = "system") -> Principal:
        """The command line, acting for the instance's owner."""
        return cls(user_id=None, username=name, is_admin=True, is_system=True)

    def roles_in(self, organisation_id: int | None) -> set[str]:
        return {role for org, role in self.memberships if org is None or org == organisation_id}

    def can(self, permission: str, organisation_id: int | None = None) -> bool:
        if self.is_system:
            return True
        if permission in NETWORK_PERMISSIONS:
            return self.is_admin or any("view_scores" in ROLE_PERMISSIONS[role]
                                        for org, role in self.memberships if org is None)
        if permission in ADMIN_PERMISSIONS or (permission in ADMIN_OVERSIGHT and self.is_admin):
            return self.is_admin
        return any(permission in ROLE_PERMISSIONS[role] for role in self.roles_in(organisation_id))

    def covers_every_organisation(self) -> bool:
        return self.is_system or any(org is None for org, _ in self.memberships)


PERMISSION_WORDING = {
    "view_scores": "see the scores of", "view_evidence": "see the evidence of",
    "download_evidence": "open evidence files of", "rate": "rate the actions of",
    "upload": "add evidence to", "link": "link evidence of", "plan": "change the action plan of",
    "export": "export the pack of", "snapshot": "take snapshots of", "start_cycle": "start a new cycle for",
    "review": "review the evidence of", "manage_users": "manage users and organisations",
    "view_audit": "read the audit log", "verify": "run the integrity check",
    "export_restricted": "export restricted evidence",
    "declassify": "make restricted evidence internal (only an administrator may)",
    "view_network": "compare the organisations of the network",
}


def require(principal: Principal, permission: str, organisation_id: int | None = None) -> None:
    if not principal.can(permission, organisation_id):
        what = PERMISSION_WORDING.get(permission, permission)
        scope = "" if permission in ADMIN_PERMISSIONS | NETWORK_PERMISSIONS else " this organisation"
        raise PermissionDenied(f"{principal.username} may not {what}{scope}.")
