"""Writes the accreditation pack: bundle.yaml, the evidence files, index.csv and report.pdf."""
from __future__ import annotations

import os
import re
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import yaml

from accounts.permissions import Principal, require
from reports.watermarks import mark_file, watermark_pdf
from scoring.report import ScoreReport
from services.evidence import evidence_register
from services.facts import latest_revisions
from services.file_access import issue_watermark
from services.instance import Haven
from services.organisations import current_cycle, organisation_by_id
from services.plan import plan_items
from services.ratings import ratings_of_cycle
from standards.loader import get_standard
from storage.audit import append_audit
from storage.models import EvidenceRevision


def export_bundle(haven: Haven, principal: Principal, *, organisation_id: int, out: Path,
                  include_restricted: bool = False, as_of: date | None = None, chart_images: bool = True,
                  recipient: str | None = None) -> Path:
    """Streams the pack into `out` (written to a temp file first, then renamed).

    report.pdf carries the trend as a chart when Kaleido can draw it (`chart_images`), else as a table.
    Every PDF and image in the pack, report.pdf included, carries a watermark for `recipient` (by default the
    user exporting) with one code, recorded in the audit log with the evidence it covers.
    """
    as_of = as_of or date.today()
    out = Path(out)
    with haven.session() as session:
        require(principal, "export", organisation_id)
        organisation = organisation_by_id(session, organisation_id)
        if include_restricted:
            require(principal, "export_restricted")
        cycle = current_cycle(session, organisation.id)
        standard = get_standard(cycle.standard_id)
        register = evidence_register(session, principal, organisation_id=organisation.id, as_of=as_of)
        revisions = latest_revisions(session, [row["id"] for row in register])
        manifest, files, index_rows = _manifest(organisation, standard, ratings_of_cycle(session, cycle.id),
                                                register, revisions, include_restricted)
        manifest["plan"] = [
            {"action": p["action"], "description": p["description"], "owner": p["owner"], "due": p["due"], "done": p["done"]}
            for p in plan_items(session, principal, organisation_id=organisation.id, as_of=as_of)
        ]
        score, snapshots = _report_data(session, principal, organisation.id, as_of)
        by_key = {revision.blob_key: revision for revision in revisions.values() if revision.blob_key}
        mark = issue_watermark(session, actor=principal.username, recipient=recipient or principal.username,
                               purpose="export", organisation_id=organisation.id,
                               evidence_ids=[evidence_id for evidence_id, revision in revisions.items()
                                             if revision.blob_key in {key for _, key in files}])
        append_audit(session, actor=principal.username, action="export", organisation_id=organisation.id,
                     target=organisation.slug,
                     detail={"include_restricted": include_restricted, "files": len(files), "watermark": mark.code})
    report_pdf = _report_pdf(score, snapshots, as_of, chart_images=chart_images)  # outside the transaction: it may take seconds
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".haven-export-", suffix=".zip", dir=out.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temp_name, "w", compression=zipfile.ZIP_DEFLATED) as pack:
            pack.writestr("bundle.yaml", yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True))
            pack.writestr("index.csv", _index_csv(index_rows))
            if report_pdf:
                pack.writestr("report.pdf", watermark_pdf(report_pdf, mark))
            for pack_path, blob_key in files:
                with pack.open(pack_path, "w") as sink:
                    sink.write(mark_file(haven.store.get(blob_key), by_key[blob_key].mime_type, mark))
        os.replace(temp_name, out)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return out


def _manifest(organisation, standard, ratings, register, revisions: dict[int, EvidenceRevision], include_restricted: bool):
    manifest: dict = {
        "organisation": {"slug": organisation.slug, "name": organisation.name},
        "standard": standard.id,
        "ratings": [
            {"action": a.id, "rating": ratings[a.id].rating, "justification": ratings[a.id].justification,
             "owner": ratings[a.id].owner}
            for a in standard.actions if a.id in ratings
        ],
        "evidence": [],
    }
    files: list[tuple[str, str]] = []
    index_rows: list[dict] = []
    for row in register:
        revision = revisions[row["id"]]
        withheld = row["withheld"] or (row["classification"] == "restricted" and not include_restricted)
        entry: dict = {
            "title": f"{row['evidence_type_title']} (withheld)" if withheld else row["title"],
            "type": row["evidence_type"], "actions": row["actions"], "issued_on": revision.issued_on,
        }
        if revision.valid_until:
            entry["valid_until"] = revision.valid_until
        entry["classification"] = row["classification"]
        pack_file = ""
        if withheld:
            entry["withheld"] = True
        elif revision.blob_key:
            pack_file = f"files/{row['id']:05d}-{_safe_file_name(row['file_name'])}"
            entry["file"] = pack_file
            files.append((pack_file, revision.blob_key))
        if row["note"] and not withheld:
            entry["note"] = row["note"]
        if row["review_status"] != "pending":
            entry["review"] = {"status": row["review_status"]} if withheld else \
                {"status": row["review_status"], "reviewer": row["reviewer"], "comment": row["review_comment"]}
        manifest["evidence"].append(entry)
        index_rows.append(_index_row(row, entry["title"], pack_file, withheld))
    return manifest, files, index_rows


def _index_row(row: dict, title: str, pack_file: str, withheld: bool) -> dict:
    """The index.csv line of an evidence item; a withheld one carries none of its free text (title, note,
    file name, review comment), only what the bundle lists of it."""
    kept = ("evidence_type", "actions", "classification", "issued_on", "valid_until", "review_status")
    line = {key: row[key] for key in kept} if withheld else dict(row)
    line.update(title=title, withheld=withheld, file=pack_file or ("withheld" if withheld else "on-site inspection"))
    return line


def _safe_file_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned[:100] or "evidence"


def _index_csv(rows: list[dict]) -> str:
    from reports.spreadsheets import index_csv

    return index_csv(rows)


def _report_data(session, principal, organisation_id: int, as_of) -> tuple[ScoreReport, list[dict]]:
    from scoring.report import report_of
    from services.scores import assess_organisation
    from services.snapshots import snapshot_series

    return (report_of(assess_organisation(session, principal, organisation_id=organisation_id, as_of=as_of)),
            snapshot_series(session, principal, organisation_id=organisation_id))


def _report_pdf(score: ScoreReport, snapshots: list[dict], as_of: date, *, chart_images: bool) -> bytes:
    """The one-page board report; render_chart_images answers {} when Kaleido cannot draw, and the
    trend then stays a table."""
    from reports.board_pdf import board_report_pdf, render_chart_images

    images = render_chart_images(score, snapshots) if chart_images and snapshots else {}
    return board_report_pdf(score, snapshots, generated_on=as_of, chart_images=images)
