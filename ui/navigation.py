"""The pages of Haven and who may open them; st.navigation is built from this list."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from accounts.permissions import Principal


@dataclass(frozen=True)
class PageEntry:
    path: str
    title: str
    icon: str
    section: str
    permission: str  # checked in the current organisation; admin permissions need the admin flag

    @property
    def url_path(self) -> str:
        """The page's address, as Streamlit derives it from the file name (views/review_queue.py → review_queue)."""
        return PurePosixPath(self.path).stem


PAGES: tuple[PageEntry, ...] = (
    PageEntry("views/overview.py", "Overview", ":material/dashboard:", "Assessment", "view_scores"),
    PageEntry("views/board.py", "Board dashboard", ":material/insights:", "Board", "view_scores"),
    PageEntry("views/network.py", "Network", ":material/hub:", "Board", "view_network"),
    PageEntry("views/cycles.py", "Assessment cycles", ":material/event_repeat:", "Board", "view_scores"),
    PageEntry("views/reports.py", "Reports and export", ":material/download:", "Reports", "export"),
    PageEntry("views/self_assessment.py", "Self-assessment", ":material/assignment:", "Assessment", "view_evidence"),
    PageEntry("views/evidence_library.py", "Evidence library", ":material/folder_open:", "Assessment", "view_evidence"),
    PageEntry("views/gaps_plan.py", "Gaps and action plan", ":material/checklist:", "Assessment", "view_evidence"),
    PageEntry("views/review_queue.py", "Review queue", ":material/fact_check:", "Review", "review"),
    PageEntry("views/admin_users.py", "Users and organisations", ":material/group:", "Administration", "manage_users"),
    PageEntry("views/audit_log.py", "Audit log", ":material/history:", "Administration", "view_audit"),
)


def pages_for(principal: Principal, organisation_id: int | None) -> list[PageEntry]:
    return [page for page in PAGES if principal.can(page.permission, organisation_id)]


# Where each role's work is; with several roles in one organisation, the first of this order wins.
LANDING_BY_ROLE: tuple[tuple[str, str], ...] = (
    ("manager", "views/overview.py"),
    ("reviewer", "views/review_queue.py"),
    ("board", "views/board.py"),
)


def landing_page(principal: Principal, organisation_id: int | None, allowed: list[PageEntry]) -> PageEntry | None:
    """The page a person opens on: a manager the Overview, a reviewer the Review queue, a board member the Board
    dashboard; anyone else (an administrator without a role) the first page they may open: the Overview, where
    a new instance offers to load the demo organisation."""
    by_path = {entry.path: entry for entry in allowed}
    roles = principal.roles_in(organisation_id)
    for role, path in LANDING_BY_ROLE:
        if role in roles and path in by_path:
            return by_path[path]
    return allowed[0] if allowed else None


def refused_pages(allowed: list[PageEntry]) -> list[PageEntry]:
    """Every other page: its address answers "You have no access to this page" instead of showing another one."""
    return [entry for entry in PAGES if entry not in allowed]
