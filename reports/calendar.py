"""Deadlines as an iCalendar file: open plan items by due date, evidence by expiry date.

Each deadline is an all-day event whose UID is a hash of what it is about, so importing
a newer file updates events instead of duplicating them. Restricted evidence is named
by its type only, whatever title the row carries.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from icalendar import Calendar, Event

from reports.formatting import as_date

if TYPE_CHECKING:
    from services.board import ExpiringEvidence
    from services.plan import PlanRow

PRODID = "-//Haven//Haven//EN"
UID_DOMAIN = "haven"


def _plain(text: object) -> str:
    return " ".join(str(text or "").split())


def deadline_uid(org_name: str, kind: str, ident: str, on: date) -> str:
    digest = hashlib.sha256("\x1f".join([org_name, kind, ident, on.isoformat()]).encode("utf-8")).hexdigest()
    return f"{digest[:32]}@{UID_DOMAIN}"


def evidence_name(row: ExpiringEvidence) -> str:
    """The title when it may be shown; for restricted evidence always the type's name."""
    type_name = _plain(row.evidence_type_title or row.evidence_type) or "Evidence"
    if row.restricted:
        return type_name
    return _plain(row.title) or type_name


def _all_day_event(*, uid: str, on: date, summary: str, description: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", on)
    event.add("dtend", on + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    return event


def plan_events(org_name: str, plan_rows: Sequence[PlanRow], stamp: datetime) -> list[Event]:
    events = []
    for row in plan_rows or []:
        due = as_date(row.due)
        if row.done or due is None:
            continue
        action = _plain(row.action)
        description = _plain(row.description) or "Action plan item"
        summary = f"Due: {description} ({action})" if action else f"Due: {description}"
        details = [f"{org_name}: action plan item"]
        if action:
            details.append(f"Action {action}")
        if row.owner:
            details.append(f"Owner: {_plain(row.owner)}")
        events.append(_all_day_event(
            uid=deadline_uid(org_name, "plan", f"{action}\x1f{description}", due),
            on=due, summary=summary, description="\n".join(details), stamp=stamp,
        ))
    return events


def expiry_events(org_name: str, expiring_rows: list[ExpiringEvidence], stamp: datetime) -> list[Event]:
    events = []
    for row in expiring_rows or []:
        valid_until = row.valid_until
        actions = [_plain(action) for action in row.actions]
        name = evidence_name(row)
        details = [f"{org_name}: evidence expires; renew it before this date"]
        if actions:
            details.append("Actions " + ", ".join(actions))
        ident = "\x1f".join([_plain(row.evidence_type), ",".join(actions), name])
        events.append(_all_day_event(
            uid=deadline_uid(org_name, "expiry", ident, valid_until),
            on=valid_until, summary=f"Expires: {name}", description="\n".join(details), stamp=stamp,
        ))
    return events


def deadlines_ics(org_name: str, plan_rows: Sequence[PlanRow], expiring_rows: list[ExpiringEvidence], *,
                  generated_at: datetime) -> bytes:
    """An .ics file with one all-day event per open plan item and per evidence expiry."""
    stamp = generated_at if generated_at.tzinfo else generated_at.replace(tzinfo=UTC)
    stamp = stamp.astimezone(UTC)
    org_name = _plain(org_name)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Haven deadlines: {org_name}")
    for event in plan_events(org_name, plan_rows, stamp) + expiry_events(org_name, expiring_rows, stamp):
        calendar.add_component(event)
    return calendar.to_ical()
