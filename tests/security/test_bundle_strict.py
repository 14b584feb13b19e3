"""Hostile bundles: YAML tricks, misspelt and doubled keys, two manifests, oversized entries, characters that
disguise text on a terminal. Each is refused with a message naming the place, and nothing is stored."""
from __future__ import annotations

import json
import time
import tracemalloc
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

import manage
from bundles.importer import import_bundle
from bundles.model import BundleError
from services.organisations import create_organisation, get_organisation
from services.scores import score_organisation
from storage.models import AuditEntry, Evidence, Organisation
from tests.factories import BUNDLE_AS_OF as AS_OF
from tests.factories import SYSTEM, write_bundle

ALIAS_BOMB = (
    'organisation: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "standard: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "ratings: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "evidence: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "plan: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "x: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "y: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "z: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
)


def assert_nothing_stored(haven) -> None:
    with haven.session() as session:
        assert session.exec(select(Organisation)).all() == []
        assert session.exec(select(Evidence)).all() == []
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "bundle.import")).all() == []
    assert list(haven.store.keys()) == []


def refused(haven, path: Path) -> str:
    with pytest.raises(BundleError) as refusal:
        import_bundle(haven, SYSTEM, path)
    assert_nothing_stored(haven)
    return str(refusal.value)


def with_manifest_text(folder: Path, edit) -> Path:
    manifest = folder / "bundle.yaml"
    manifest.write_text(edit(manifest.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def test_an_alias_bomb_is_refused_at_once_without_memory(haven, tmp_path):
    assert len(ALIAS_BOMB.encode()) <= 400
    folder = write_bundle(tmp_path / "bundle")
    (folder / "bundle.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        message = refused(haven, folder)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "anchors and aliases" in message and "line 1" in message
    assert elapsed < 5 and peak < 20 * 1024 * 1024


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace("standard: vse-3", "standard: !!python/object/apply:os.system ['echo owned']"),
     "line 4, column 11: YAML tags"),
    (lambda t: t.replace("standard: vse-3", "standard: !!str vse-3"), "YAML tags"),
    (lambda t: t.replace("standard: vse-3", "standard: &s vse-3"), "anchors and aliases"),
    (lambda t: t + "plan2:\n  <<: {action: 3.2.1}\n", "merge keys"),
    (lambda t: t.replace("standard: vse-3", "standard: vse-3\nstandard: vse-3"),
     "line 5, column 1: duplicate key 'standard'"),
    (lambda t: t.replace("  type: risk_assessment", "  type: risk_assessment\n  type: policy"), "duplicate key 'type'"),
    (lambda t: t.replace("plan:", "plans:"), "bundle.yaml: unknown key 'plans'"),
    (lambda t: t.replace("- title: Reception door", "- titel: Reception door"), "evidence[1]: unknown key 'titel'"),
    (lambda t: t.replace("comment: Signed and dated", "coment: Signed and dated"),
     "evidence[0].review: unknown key 'coment'"),
    (lambda t: t.replace("  name: Harbour House Victim Support", "  name: Harbour House\n  colour: red"),
     "organisation: unknown key 'colour'"),
    (lambda t: t.replace("done: false", "done: 'no'"), "plan[0].done: expected true or false"),
    (lambda t: t + "---\nstandard: vse-3\n", "not valid YAML"),
])
def test_bundle_yaml_is_read_strictly(haven, tmp_path, edit, expected):
    folder = with_manifest_text(write_bundle(tmp_path / "bundle"), edit)
    assert expected in refused(haven, folder)


@pytest.mark.parametrize("field, value, where", [
    ("evidence.0.title", "Escape plan \u202egpj.exe", "evidence[0].title"),
    ("organisation.name", "Harbour House\x1b]0;owned\x07\x1b[2J", "organisation.name"),
    ("evidence.2.review.comment", "Out of date\u2066hidden\u2069", "evidence[2].review.comment"),
    ("plan.0.description", "Photograph\rthe door", "plan[0].description"),
    ("ratings.0.owner", "A.\nManager", "ratings[0].owner"),
])
def test_control_and_bidirectional_characters_are_refused(haven, tmp_path, field, value, where):
    message = refused(haven, write_bundle(tmp_path / "bundle", **{field: value}))
    assert message.startswith(f"{where}: holds the control or bidirectional character")
    assert "\x1b" not in message and "\u202e" not in message


def test_multi_line_text_keeps_its_line_breaks(haven, tmp_path):
    import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle", **{"plan.0.description": "Photograph\nthe door"}))


def _zip_of(folder: Path, out: Path, extra: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
        for name, data in extra.items():
            archive.writestr(name, data)
    return out


@pytest.mark.parametrize("extra", [{"bundle.yaml": b"organisation: {slug: evil, name: Evil}\n"},
                                   {"nested/bundle.yaml": b"standard: vse-3\n"},
                                   {"BUNDLE.YAML": b"standard: vse-3\n"}])
def test_a_zip_with_two_bundle_yaml_is_refused(haven, tmp_path, extra):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the attack
        archive = _zip_of(write_bundle(tmp_path / "bundle"), tmp_path / "two.zip", extra)
    assert "bundle.yaml files" in refused(haven, archive) or "more than once" in refused(haven, archive)


def test_an_oversized_zip_entry_is_refused_before_it_is_read(haven, tmp_path, monkeypatch):
    small = replace(haven, settings=replace(haven.settings, max_upload_bytes=6 * 1024 * 1024))
    archive = _zip_of(write_bundle(tmp_path / "bundle"), tmp_path / "big.zip",
                      {"files/huge.pdf": b"%PDF-1.4\n" + b"0" * (7 * 1024 * 1024)})
    opened = []
    real_open = zipfile.ZipFile.open

    def watched_open(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", watched_open)
    message = refused(small, archive)
    assert "files/huge.pdf" in message and "larger than the 6 MB" in message
    assert "files/huge.pdf" not in opened


def test_an_oversized_file_in_a_bundle_folder_is_refused_before_it_is_read(haven, tmp_path, monkeypatch):
    small = replace(haven, settings=replace(haven.settings, max_upload_bytes=1024 * 1024))
    folder = write_bundle(tmp_path / "bundle")
    (folder / "files" / "risk-form.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} read whole"))
    assert "larger than the 1 MB limit" in refused(small, folder)


def test_not_applicable_without_justification_is_accepted_as_a_gap(haven, tmp_path):
    folder = write_bundle(tmp_path / "bundle", **{"ratings.2.justification": ""})
    slug = import_bundle(haven, SYSTEM, folder)
    with haven.session() as session:
        report = score_organisation(session, SYSTEM, organisation_id=get_organisation(session, slug).id, as_of=AS_OF)
    assert {"kind": "na_without_justification", "action": "3.2.2"}.items() <= next(
        g for g in report["gaps"] if g["kind"] == "na_without_justification").items()
    assert report["readiness"] == "not_ready"


HOSTILE_NAME = "Harbour \x1b[31mHouse\x1b]0;owned\x07 \u202eesuoH\u202c \x9b2J"


@pytest.mark.parametrize("as_json", [False, True])
def test_score_prints_no_control_or_bidirectional_character(haven, capsys, monkeypatch, as_json):
    with haven.session() as session:  # a name typed in the app, where nothing refuses it
        create_organisation(session, SYSTEM, slug="harbour-house", name=HOSTILE_NAME)
    monkeypatch.setattr(manage, "open_instance", lambda **_: haven)
    assert manage.main(["score", "--org", "harbour-house", *(["--json"] if as_json else [])]) == 0
    out = capsys.readouterr().out
    for char in ("\x1b", "\x07", "\u202e", "\u202c", "\x9b"):
        assert char not in out
    if as_json:
        assert json.loads(out)["organisation_name"] == HOSTILE_NAME  # escaped, not lost
    else:
        assert "Harbour \\x1b[31mHouse" in out


def test_yaml_dates_and_plain_bundles_still_import(haven, tmp_path):
    folder = write_bundle(tmp_path / "bundle")
    assert yaml.safe_load((folder / "bundle.yaml").read_text())["standard"] == "vse-3"
    assert import_bundle(haven, SYSTEM, folder) == "harbour-house"



def _bomb_zip(folder: Path, out: Path, padding: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bomb:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bomb.write(path, path.relative_to(folder).as_posix())
        for name, data in padding.items():
            bomb.writestr(name, data)
    return out


@pytest.fixture
def unpacked(monkeypatch) -> list[str]:
    """The names of the zip entries the import opens (to unpack them)."""
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def watched_open(self, name, mode="r", *args, **kwargs):
        if mode == "r":  # writing the test's zip opens entries too
            opened.append(getattr(name, "filename", name))
        return real_open(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", watched_open)
    return opened


ZEROS = bytes(20 * 1024 * 1024)  # under the size limit of one file; deflates about a thousand to one


def test_padding_that_bundle_yaml_does_not_name_is_never_unpacked(haven, tmp_path, unpacked):
    """Entries of zeros beside a real bundle: a 100 KB zip that unpacked every entry would fill the disk the
    database lives on with gigabytes of scratch files, though nothing in bundle.yaml names them."""
    archive = _bomb_zip(write_bundle(tmp_path / "bundle"), tmp_path / "bomb.zip",
                        {f"padding/{number}.bin": ZEROS for number in range(4)})
    assert archive.stat().st_size < 200 * 1024
    assert import_bundle(haven, SYSTEM, archive) == "harbour-house"
    assert not any(name.startswith("padding/") for name in unpacked)
    assert {"bundle.yaml", "files/risk-form.pdf", "files/reception.jpg"} <= set(unpacked)


def test_an_evidence_file_that_deflates_like_a_zip_bomb_is_refused_before_it_is_unpacked(haven, tmp_path, unpacked):
    folder = write_bundle(tmp_path / "bundle")
    (folder / "files" / "risk-form.pdf").unlink()
    archive = _bomb_zip(folder, tmp_path / "bomb.zip", {"files/risk-form.pdf": b"%PDF-1.4\n" + ZEROS})
    message = refused(haven, archive)
    assert "files/risk-form.pdf" in message and "zip bomb" in message
    assert "files/risk-form.pdf" not in unpacked
