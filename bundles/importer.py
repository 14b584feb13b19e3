"""Loads a bundle (folder or .zip) into Haven, all or nothing."""
from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from sqlmodel import select

from accounts.permissions import Principal, require
from bundles.model import MAX_MANIFEST_BYTES, Bundle, BundleError, parse_manifest, read_bundle, read_manifest_text
from bundles.privacy import imported_privacy
from evidence.errors import IntakeError
from services.evidence import NewEvidence, add_evidence, intake_upload
from services.instance import Haven
from services.organisations import create_organisation
from services.plan import add_plan_item
from services.ratings import set_rating
from services.reviews import record_imported_review
from services.stored_files import files_then_rows, lock_files
from storage.audit import append_audit
from storage.models import Organisation

MAX_BUNDLE_BYTES = 4 * 1024**3
MAX_BUNDLE_ENTRIES = 100_000
MAX_COMPRESSION_RATIO = 200  # photos and PDFs barely deflate; zeros deflate about 1,000 to 1
BOMB_CHECKED_ABOVE = 1024 * 1024


def import_bundle(haven: Haven, principal: Principal, path: Path) -> str:
    """Imports one bundle and returns the organisation's slug; on any fault nothing is written."""
    require(principal, "manage_users")
    path = Path(path)
    if path.is_dir():
        return _import_folder(haven, principal, path)
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="haven-bundle-") as scratch:
            folder = Path(scratch)
            _extract_safely(path, folder, max_entry_bytes=_max_entry_bytes(haven))
            return _import_folder(haven, principal, folder)
    raise BundleError(f"{path.name}: not a bundle folder or .zip file")


def _max_entry_bytes(haven: Haven) -> int:
    return max(haven.settings.max_upload_bytes, MAX_MANIFEST_BYTES)


def _extract_safely(archive: Path, folder: Path, *, max_entry_bytes: int) -> None:
    """Unpacks the zip after checking every entry's name and size; each entry is copied in chunks and stopped at
    the size its header declares (itself checked against the limit), so none is ever read whole first."""
    with zipfile.ZipFile(archive) as bundle_zip:
        entries = bundle_zip.infolist()
        if len(entries) > MAX_BUNDLE_ENTRIES:
            raise BundleError(f"{archive.name}: too many entries")
        if sum(e.file_size for e in entries) > MAX_BUNDLE_BYTES:
            raise BundleError(f"{archive.name}: larger than {MAX_BUNDLE_BYTES // 1024**3} GB unpacked")
        names = [entry.filename.replace("\\", "/") for entry in entries]
        manifests = [name for name in names if PurePosixPath(name).name.lower() == "bundle.yaml"]
        if len(manifests) > 1:
            raise BundleError(f"{archive.name}: holds {len(manifests)} bundle.yaml files ({', '.join(manifests[:3])}); "
                              "a bundle has exactly one")
        folded = [name.rstrip("/").lower() for name in names]
        if len(set(folded)) != len(folded):
            twice = next(name for name in folded if folded.count(name) > 1)
            raise BundleError(f"{archive.name}: the entry '{twice}' is in the zip more than once")
        for entry in entries:
            name = PurePosixPath(entry.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or ":" in entry.filename:
                raise BundleError(f"{archive.name}: entry '{entry.filename}' escapes the bundle folder")
            if entry.file_size > max_entry_bytes:
                raise BundleError(f"{archive.name}: entry '{entry.filename}' is larger than the "
                                  f"{max_entry_bytes // (1024 * 1024)} MB a bundle file may be")
        prefix = _common_root(entries)
        placed = {_relative(entry, prefix): entry for entry in entries if not entry.is_dir()}
        manifest = placed.get(PurePosixPath("bundle.yaml"))
        if manifest is None:
            raise BundleError(f"{archive.name}: no bundle.yaml in the bundle")
        _unpack(bundle_zip, manifest, folder / "bundle.yaml", archive.name)
        # Only the files bundle.yaml names are unpacked: anything else (an export's index.csv and report.pdf, or
        # gigabytes of padding) never reaches the disk.
        for relative in _named_files(folder / "bundle.yaml"):
            if relative in placed and relative != PurePosixPath("bundle.yaml"):
                _unpack(bundle_zip, placed[relative], folder / relative, archive.name)


def _relative(entry: zipfile.ZipInfo, prefix: str) -> PurePosixPath:
    relative = PurePosixPath(entry.filename.replace("\\", "/"))
    return PurePosixPath(*relative.parts[1:]) if prefix else relative


def _named_files(manifest: Path) -> set[PurePosixPath]:
    """The files the evidence entries of bundle.yaml name (read strictly; read_bundle checks the rest)."""
    raw = parse_manifest(read_manifest_text(manifest))
    evidence = raw.get("evidence") if isinstance(raw, dict) else None
    named = set()
    for item in evidence if isinstance(evidence, list) else ():
        value = item.get("file") if isinstance(item, dict) else None
        if isinstance(value, str) and value:
            named.add(PurePosixPath(value.replace("\\", "/")))
    return named


def _unpack(bundle_zip: zipfile.ZipFile, entry: zipfile.ZipInfo, target: Path, archive_name: str) -> None:
    """One entry to `target`, refused first when it deflates like a zip bomb (no evidence file packs that well)."""
    if entry.file_size > BOMB_CHECKED_ABOVE and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
        raise BundleError(f"{archive_name}: entry '{entry.filename}' unpacks to {entry.file_size // 1024**2} MB from "
                          f"{max(entry.compress_size // 1024, 1)} KB: a zip bomb, not a bundle")
    target.parent.mkdir(parents=True, exist_ok=True)
    with bundle_zip.open(entry) as source, open(target, "wb") as sink:
        _copy_capped(source, sink, entry.file_size)


def _common_root(entries) -> str:
    """A zip made of a folder has every entry under one top folder; bundle.yaml then sits inside it."""
    names = [e.filename for e in entries]
    if "bundle.yaml" in names:
        return ""
    tops = {n.split("/", 1)[0] for n in names}
    return tops.pop() if len(tops) == 1 else ""


def _copy_capped(source, sink, declared: int) -> None:
    written = 0
    while chunk := source.read(1024 * 1024):
        written += len(chunk)
        if written > declared:
            raise BundleError("a bundle entry is larger than its header says")
        sink.write(chunk)


def _read_capped(file: Path, limit: int, where: str) -> bytes:
    """The file's bytes, refused before reading when it is over the limit (and if it grows while read)."""
    if file.stat().st_size > limit:
        raise BundleError(f"{where}: the file is larger than the {limit // (1024 * 1024)} MB limit")
    with open(file, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise BundleError(f"{where}: the file is larger than the {limit // (1024 * 1024)} MB limit")
    return data


def _import_folder(haven: Haven, principal: Principal, folder: Path) -> str:
    bundle = read_bundle(folder)
    with haven.session() as session:
        if session.exec(select(Organisation).where(Organisation.slug == bundle.slug)).first():
            raise BundleError(f"organisation.slug: '{bundle.slug}' already exists in this Haven")
    intakes = []
    for index, item in enumerate(bundle.evidence):
        if item.file is None:
            intakes.append(None)
            continue
        where = f"evidence[{index}] ({item.title})"
        try:
            data = _read_capped(item.file, haven.settings.max_upload_bytes, where)
            privacy, upload_scan = imported_privacy(item.privacy, data, max_bytes=haven.settings.max_upload_bytes,
                                                    max_pixels=haven.settings.max_image_pixels)
            intakes.append(intake_upload(haven.settings, data, item.file.name, privacy=privacy,
                                         upload_scan=upload_scan))
        except IntakeError as error:
            raise BundleError(f"{where}: {error}") from error
    with files_then_rows(haven) as files:
        stored = [files.put(intake) for intake in intakes]
        with haven.session() as session:
            _write_bundle(session, principal, bundle, intakes, stored)
    return bundle.slug


def _write_bundle(session, principal: Principal, bundle: Bundle, intakes, stored) -> None:
    lock_files(session)  # first, as every change that records files does (the audit entry's lock comes after)
    organisation = create_organisation(session, principal, slug=bundle.slug, name=bundle.name,
                                       standard_id=bundle.standard.id)
    for rating in bundle.ratings:
        set_rating(session, principal, organisation_id=organisation.id, action_id=rating.action, rating=rating.rating,
                   justification=rating.justification, owner=rating.owner, require_justification=False)
    for item, intake, (content_key, thumbnail_key) in zip(bundle.evidence, intakes, stored, strict=True):
        details = NewEvidence(item.evidence_type, item.actions, item.issued_on, title=item.title,
                              valid_until=item.valid_until, classification=item.classification, note=item.note)
        evidence = add_evidence(session, principal, organisation_id=organisation.id, details=details, intake=intake,
                                stored_key=content_key, thumbnail_key=thumbnail_key, withheld=item.withheld)
        if item.review and item.review.status != "pending":
            record_imported_review(session, principal, evidence=evidence, status=item.review.status,
                                   reviewer=item.review.reviewer, comment=item.review.comment)
    for plan_item in bundle.plan:
        add_plan_item(session, principal, organisation_id=organisation.id, action_id=plan_item.action,
                      description=plan_item.description, owner=plan_item.owner, due=plan_item.due, done=plan_item.done)
    append_audit(session, actor=principal.username, action="bundle.import", organisation_id=organisation.id,
                 target=bundle.slug, detail={"evidence": len(bundle.evidence), "ratings": len(bundle.ratings),
                                             **_decisions_from_the_bundle(intakes)})


def _decisions_from_the_bundle(intakes) -> dict:
    """How many regions were kept legible and case files stored on the bundle's recorded decisions (each one is
    in its evidence.add entry too, with its reason)."""
    records = [intake.privacy for intake in intakes if intake is not None]
    kept, allowed = sum(len(r.kept_with_reason) for r in records), sum(1 for r in records if r.allowed_reason)
    return ({"kept_with_reason": kept} if kept else {}) | ({"case_files_allowed": allowed} if allowed else {})
