"""The audit log in plain words: what each action code means, its detail as a sentence, and a CSV export.

The log itself keeps its codes (they are part of the hash chain); these are only how people read them.
An action this list does not know is shown as its code with the dots and underscores made spaces.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from reports.formatting import long_date, long_date_time
from reports.spreadsheets import neutralise

if TYPE_CHECKING:
    from services.audit_log import AuditRow

ACTION_WORDS = {
    "login.success": "Signed in",
    "login.failure": "Sign-in refused",
    "user.create": "User added",
    "user.activate": "User reactivated",
    "user.deactivate": "User deactivated",
    "user.admin_grant": "Made administrator",
    "user.admin_revoke": "Administrator rights removed",
    "user.unlock": "User unlocked",
    "user.password_reset": "Password set by an administrator",
    "membership.set": "Role given",
    "membership.remove": "Role removed",
    "organisation.create": "Organisation added",
    "organisation.rename": "Organisation renamed",
    "organisation.archive": "Organisation archived",
    "organisation.unarchive": "Organisation brought back",
    "cycle.start": "Assessment cycle started",
    "rating.set": "Action rated",
    "evidence.add": "Evidence added",
    "evidence.revise": "New revision of evidence",
    "evidence.link": "Evidence linked to an action",
    "evidence.unlink": "Evidence unlinked from an action",
    "evidence.classify": "Evidence classification changed",
    "evidence.download": "Evidence file downloaded",
    "evidence.preview": "Evidence file previewed",
    "evidence.thumbnails": "Photo thumbnails shown",
    "review.accepted": "Evidence accepted",
    "review.rejected": "Evidence rejected",
    "review.pending": "Review reopened",
    "plan.add": "Plan item added",
    "plan.update": "Plan item changed",
    "export": "Accreditation pack exported",
    "pack.download": "Accreditation pack downloaded",
    "report.download": "Board report downloaded",
    "register.download": "Evidence register downloaded",
    "plan.download": "Action plan downloaded",
    "calendar.download": "Deadlines calendar downloaded",
    "audit.download": "Audit log entries downloaded",
    "watermark.issue": "Watermarked copy handed out",
    "bundle.import": "Bundle imported",
    "instance.backup": "Backup written",
    "instance.restore": "Backup restored",
    "verify.remove_orphans": "Orphan files removed",
}
DETAIL_WORDS = {
    "reason": "reason", "failures": "failed attempts", "locked_until": "locked until", "role": "role",
    "organisation": "organisation", "admin": "administrator", "name": "name", "standard": "standard",
    "from": "from", "to": "to", "rating": "rating", "action": "action", "owner": "owner", "due": "due",
    "include_restricted": "restricted evidence included", "files": "files", "method": "method",
}
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}.*)?$")
CSV_COLUMNS = ("Entry", "Time (UTC)", "Who", "What", "Action code", "Organisation", "About", "Detail")


def action_words(code: str) -> str:
    return ACTION_WORDS.get(code) or code.replace(".", " ").replace("_", " ").capitalize()


def _value_words(value: object) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(_value_words(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{DETAIL_WORDS.get(k, k.replace('_', ' '))} {_value_words(v)}" for k, v in value.items())
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return long_date_time(moment) if "T" in value else long_date(moment)
    return str(value)


def detail_words(detail: str | dict | None) -> str:
    """The entry's detail (JSON) as "reason: wrong password · failed attempts: 2"; text that is not JSON as it is."""
    if not detail:
        return ""
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            return detail
    if not isinstance(detail, dict):
        return _value_words(detail)
    return " · ".join(f"{DETAIL_WORDS.get(key, key.replace('_', ' '))}: {_value_words(value)}"
                      for key, value in detail.items())


def detail_json(detail: str | dict | None) -> dict | list | str:
    """The detail as data for a JSON viewer (text that is not JSON stays text)."""
    if isinstance(detail, str):
        try:
            return json.loads(detail)
        except ValueError:
            return detail
    return detail or {}


def audit_csv(entries: Sequence[AuditRow], organisation_names: dict[str, str] | None = None) -> str:
    """The entries as CSV, every cell a spreadsheet could read as a formula neutralised."""
    names = organisation_names or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow([neutralise(str(cell)) for cell in (
            entry.id, long_date_time(entry.at), entry.actor, action_words(entry.action), entry.action,
            names.get(entry.organisation, entry.organisation), entry.target, detail_words(entry.detail),
        )])
    return buffer.getvalue()
