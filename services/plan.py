"""The action plan: tasks that close gaps."""
from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from accounts.permissions import Principal, require
from services.errors import NotFound, ServiceError
from services.organisations import current_cycle
from standards.loader import get_standard
from storage.audit import append_audit
from storage.models import PlanItem, utc_now


def add_plan_item(
    session: Session, principal: Principal, *, organisation_id: int, action_id: str, description: str,
    owner: str = "", due: date | None = None, gap_kind: str = "", done: bool = False,
) -> PlanItem:
    require(principal, "plan", organisation_id)
    standard = get_standard(current_cycle(session, organisation_id).standard_id)
    if not standard.has_action(action_id):
        raise ServiceError(f"Unknown action '{action_id}' in {standard.id}.")
    if not description.strip():
        raise ServiceError("Describe the task.")
    item = PlanItem(organisation_id=organisation_id, action_id=action_id, description=description.strip()[:2000],
                    owner=owner.strip()[:200], due=due, gap_kind=gap_kind[:40], done=done,
                    closed_at=utc_now() if done else None)
    session.add(item)
    session.flush()
    append_audit(session, actor=principal.username, action="plan.add", organisation_id=organisation_id,
                 target=f"plan:{item.id}", detail={"action": action_id, "owner": item.owner,
                                                   "due": due.isoformat() if due else None})
    return item


def update_plan_item(
    session: Session, principal: Principal, *, item_id: int, description: str | None = None, owner: str | None = None,
    due: date | None = None, done: bool | None = None, clear_due: bool = False,
) -> PlanItem:
    item = session.get(PlanItem, item_id)
    if item is None:
        raise NotFound("No such plan item.")
    require(principal, "plan", item.organisation_id)
    changes: dict[str, object] = {}
    if description is not None:
        if not description.strip():
            raise ServiceError("Describe the task.")
        if description.strip() != item.description:
            item.description = description.strip()[:2000]
            changes["description"] = item.description
    if owner is not None and owner.strip() != item.owner:
        item.owner = owner.strip()[:200]
        changes["owner"] = item.owner
    if (due is not None or clear_due) and due != item.due:
        item.due = due
        changes["due"] = due.isoformat() if due else None
    if done is not None and done != item.done:
        item.done = done
        item.closed_at = utc_now() if done else None
        changes["done"] = done
    if changes:
        session.add(item)
        append_audit(session, actor=principal.username, action="plan.update", organisation_id=item.organisation_id,
                     target=f"plan:{item.id}", detail=changes)
    session.flush()
    return item


def plan_items(session: Session, principal: Principal, *, organisation_id: int, as_of: date | None = None) -> list[dict]:
    require(principal, "view_scores", organisation_id)
    as_of = as_of or date.today()
    items = session.exec(select(PlanItem).where(PlanItem.organisation_id == organisation_id).order_by(PlanItem.id)).all()
    return [
        {"id": i.id, "action": i.action_id, "description": i.description, "owner": i.owner, "due": i.due,
         "done": i.done, "overdue": (not i.done and i.due is not None and i.due < as_of), "gap_kind": i.gap_kind}
        for i in items
    ]
