"""The pages of Haven and who may open them; st.navigation is built from this list."""
from __future__ import annotations

from dataclasses import dataclass

from accounts.permissions import Principal


@dataclass(frozen=True)
class PageEntry:
    path: str
    title: str
    icon: str
    section: str
    permission: str  # checked in the current organisation; admin permissions need the admin flag


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
