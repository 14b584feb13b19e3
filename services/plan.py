"""The action plan: tasks that close gaps."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from accounts.permissions import Principal, require
from services.errors import NotFound, ServiceError
from services.organisations import current_cycle
from services.ratings import ratings_of_cycle
from standards.loader import get_standard
from storage.audit import append_audit
from storage.db import lock_row
from storage.models import Organisation, PlanItem, User, utc_now

GAP_PLAN_DAYS = 30
EDITABLE_FIELDS = ("description", "owner", "due", "done")


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
    item = lock_row(session, PlanItem, item_id)  # compared and changed as committed now, one session at a time
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


@dataclass(frozen=True)
class PlanRow:
    """One plan item as the plan screen, the exports and the calendar read it."""

    id: int
    action: str
    description: str
    owner: str
    due: date | None
    done: bool
    overdue: bool  # open and due before the day asked about
    gap_kind: str  # the kind of gap it was added for, "" for one added by hand


@dataclass(frozen=True)
class PlanChange:
    """The editable fields of a plan item as edited in the plan's table."""

    id: int
    description: str
    owner: str
    due: date | None
    done: bool


def plan_items(session: Session, principal: Principal, *, organisation_id: int,
               as_of: date | None = None) -> list[PlanRow]:
    require(principal, "view_scores", organisation_id)
    as_of = as_of or date.today()
    items = session.exec(select(PlanItem).where(PlanItem.organisation_id == organisation_id).order_by(PlanItem.id)).all()
    return [
        PlanRow(id=i.id, action=i.action_id, description=i.description, owner=i.owner, due=i.due, done=i.done,
                overdue=(not i.done and i.due is not None and i.due < as_of), gap_kind=i.gap_kind)
        for i in items
    ]


def plan_defaults(session: Session, principal: Principal, *, organisation_id: int, action_id: str,
                  today: date | None = None) -> dict:
    """The owner and due date a new plan item for `action_id` starts with: the action's owner, 30 days on."""
    require(principal, "plan", organisation_id)
    cycle = current_cycle(session, organisation_id)
    rating = ratings_of_cycle(session, cycle.id).get(action_id)
    owner = rating.owner if rating is not None and rating.owner.strip() else _name_of(session, principal)
    return {"owner": owner, "due": (today or date.today()) + timedelta(days=GAP_PLAN_DAYS)}


def _name_of(session: Session, principal: Principal) -> str:
    user = session.get(User, principal.user_id) if principal.user_id is not None else None
    return (user.display_name or user.username) if user is not None else principal.username


def add_plan_item_for_gap(session: Session, principal: Principal, *, organisation_id: int, gap: dict,
                          description: str, today: date | None = None) -> PlanItem:
    """Turns a gap of the score report into an open plan item with an owner and a due date.

    Idempotent: while an open item for the same action and kind of gap exists (a second click, a second
    tab), that item is returned and nothing is added. The organisation's row is locked first, so two
    clicks at the same moment on PostgreSQL add one item too."""
    require(principal, "plan", organisation_id)
    session.exec(select(Organisation).where(Organisation.id == organisation_id).with_for_update()).first()
    existing = open_item_for_gap(session, organisation_id=organisation_id, action_id=gap["action"], gap_kind=gap["kind"])
    if existing is not None:
        return existing
    defaults = plan_defaults(session, principal, organisation_id=organisation_id, action_id=gap["action"], today=today)
    return add_plan_item(session, principal, organisation_id=organisation_id, action_id=gap["action"],
                         description=description, owner=defaults["owner"], due=defaults["due"], gap_kind=gap["kind"])


def open_item_for_gap(session: Session, *, organisation_id: int, action_id: str, gap_kind: str) -> PlanItem | None:
    return session.exec(select(PlanItem).where(
        PlanItem.organisation_id == organisation_id, PlanItem.action_id == action_id, PlanItem.gap_kind == gap_kind,
        PlanItem.done.is_(False)).order_by(PlanItem.id)).first()


def changed_plan_rows(before: Iterable[PlanRow], after: Iterable[Mapping[str, object]]) -> list[PlanChange]:
    """The edited rows of `after` (the plan table's cells by field name, keyed by "id") whose editable fields
    differ from the item with the same id in `before`."""
    original = {row.id: row for row in before}
    changed = []
    for row in after:
        old = original.get(row["id"])
        if old is None:
            continue
        fresh = {field: _plain(row.get(field), field) for field in EDITABLE_FIELDS}
        if any(fresh[field] != _plain(getattr(old, field), field) for field in EDITABLE_FIELDS):
            changed.append(PlanChange(id=old.id, **fresh))
    return changed


def _plain(value, field: str):
    """Editor cells as stored values: text (empty for a blank cell), a date or None, a bool."""
    if field in ("description", "owner"):
        return "" if _missing(value) else str(value).strip()
    if field == "due":
        if _missing(value):
            return None
        return value.date() if isinstance(value, datetime) else value
    return False if _missing(value) else bool(value)


def _missing(value) -> bool:
    """None, NaN, NaT or pandas' NA (whose comparisons cannot be read as a bool)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:
        return True


def save_plan_changes(session: Session, principal: Principal, *, organisation_id: int,
                      changes: list[PlanChange]) -> int:
    """Applies edited rows (from changed_plan_rows) in one transaction; returns how many items changed."""
    require(principal, "plan", organisation_id)
    for change in changes:
        item = session.get(PlanItem, change.id)
        if item is None or item.organisation_id != organisation_id:
            raise NotFound("No such plan item in this organisation.")
        update_plan_item(session, principal, item_id=change.id, description=change.description,
                         owner=change.owner, due=change.due, clear_due=change.due is None, done=change.done)
    return len(changes)
