"""Writes the accreditation pack: bundle.yaml, the evidence files, index.csv and report.pdf."""
from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import yaml
from PIL import Image

from accounts.permissions import Principal, require
from evidence.privacy_policy import PrivacyRecord
from reports.spreadsheets import IndexLine, index_csv
from reports.watermarks import mark_file, watermark_pdf
from scoring.report import ScoreReport, TrendPoint, report_of
from services.evidence import RegisterRow, evidence_register, privacy_records
from services.facts import latest_revisions
from services.file_access import issue_watermark
from services.instance import Haven
from services.organisations import current_cycle, organisation_by_id
from services.plan import plan_items
from services.ratings import ratings_of_cycle
from standards.loader import get_standard
from storage.audit import append_audit
from storage.models import EvidenceRevision
from vocabulary import Classification, ReviewStatus


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
        revisions = latest_revisions(session, [row.id for row in register])
        records = privacy_records(session, [revision.id for revision in revisions.values()])
        manifest, files, index_lines = _manifest(organisation, standard, ratings_of_cycle(session, cycle.id),
                                                register, revisions, include_restricted)
        _add_privacy_decisions(manifest, register, revisions, records,
                               image_size=lambda key: _image_size(haven.store.get(key)))
        manifest["plan"] = [
            {"action": p.action, "description": p.description, "owner": p.owner, "due": p.due, "done": p.done}
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
            pack.writestr("index.csv", index_csv(index_lines))
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
    index_lines: list[IndexLine] = []
    for row in register:
        revision = revisions[row.id]
        withheld = row.withheld or (row.classification == Classification.RESTRICTED and not include_restricted)
        entry: dict = {
            "title": f"{row.evidence_type_title} (withheld)" if withheld else row.title,
            "type": row.evidence_type, "actions": row.actions, "issued_on": revision.issued_on,
        }
        if revision.valid_until:
            entry["valid_until"] = revision.valid_until
        entry["classification"] = str(row.classification)
        pack_file = ""
        if withheld:
            entry["withheld"] = True
        elif revision.blob_key:
            pack_file = f"files/{row.id:05d}-{_safe_file_name(row.file_name)}"
            entry["file"] = pack_file
            files.append((pack_file, revision.blob_key))
        if row.note and not withheld:
            entry["note"] = row.note
        if row.review_status != ReviewStatus.PENDING:
            entry["review"] = {"status": str(row.review_status)} if withheld else \
                {"status": str(row.review_status), "reviewer": row.reviewer, "comment": row.review_comment}
        manifest["evidence"].append(entry)
        index_lines.append(_index_line(row, entry["title"], pack_file, withheld))
    return manifest, files, index_lines


def _add_privacy_decisions(manifest: dict, register: list[RegisterRow], revisions: dict[int, EvidenceRevision],
                           records: dict[int, PrivacyRecord], *, image_size) -> None:
    """Adds to each exported file the privacy decisions stored with it, so an import keeps what its uploader kept
    (and stores a case file they stored with a reason) instead of applying the default policy again."""
    for row, entry in zip(register, manifest["evidence"], strict=True):
        revision = revisions[row.id]
        record = records.get(revision.id)
        if "file" not in entry or record is None:
            continue
        kept = [region for region in record.kept_with_reason if not region.source]  # in the file itself
        decisions: dict = {}
        if kept:
            decisions["kept"] = [{"kind": str(region.kind), "box": region.box.as_list(), "reason": region.reason}
                                 for region in kept]
            decisions["image_size"] = list(image_size(revision.blob_key))
        if record.case_file and record.allowed_reason:
            decisions["allowed_personal_data"] = record.allowed_reason
        if decisions:
            entry["privacy"] = decisions


def _image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as picture:  # the header only; stored pictures are upright already
        return picture.size


def _index_line(row: RegisterRow, title: str, pack_file: str, withheld: bool) -> IndexLine:
    """The index.csv line of an evidence item; a withheld one carries none of its free text (title, note,
    file name, review comment), only what the bundle lists of it."""
    return IndexLine(title=title, evidence_type_title=row.evidence_type_title, actions=row.actions,
                     classification=row.classification, issued_on=row.issued_on, valid_until=row.valid_until,
                     review_status=row.review_status, file=pack_file or None, withheld=withheld)


def _safe_file_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned[:100] or "evidence"


def _report_data(session, principal, organisation_id: int, as_of) -> tuple[ScoreReport, list[TrendPoint]]:
    from services.scores import assess_organisation
    from services.snapshots import snapshot_series

    score = report_of(assess_organisation(session, principal, organisation_id=organisation_id, as_of=as_of))
    return score, snapshot_series(session, principal, organisation_id=organisation_id)


def _report_pdf(score: ScoreReport, snapshots: list[TrendPoint], as_of: date, *, chart_images: bool) -> bytes:
    """The one-page board report; render_chart_images answers {} when Kaleido cannot draw, and the
    trend then stays a table."""
    from reports.board_pdf import board_report_pdf, render_chart_images

    images = render_chart_images(score, snapshots) if chart_images and snapshots else {}
    return board_report_pdf(score, snapshots, generated_on=as_of, chart_images=images)
