"""Broken standard files are refused with the file and the field at fault; good ones load."""
from __future__ import annotations

import copy
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from scoring.dates import add_months
from scoring.engine import assess
from scoring.facts import EvidenceFact, OrganisationFacts, RatingFact
from scoring.report import assessment_to_dict
from standards.loader import BUNDLED_DIR, StandardFileError, load_standard_file, load_standards

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "mini.yaml"


@pytest.fixture
def mini_raw() -> dict:
    return yaml.safe_load(MINI.read_text(encoding="utf-8"))


def write_standard(folder: Path, raw: dict, name: str = "broken.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(StandardFileError) as caught:
        load_standard_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path.name}: "), message
    return message


def test_the_fixture_as_written_loads(tmp_path, mini_raw):
    standard = load_standard_file(write_standard(tmp_path, mini_raw, "ok.yaml"))
    assert standard.id == "demo-9"


def test_unknown_evidence_type_in_an_action_names_its_place_and_the_id(tmp_path, mini_raw):
    mini_raw["engagements"][0]["actions"][1]["evidence_types"][0] = "poster"
    message = refusal(write_standard(tmp_path, mini_raw))
    assert message == "broken.yaml: engagements.0.actions.1.evidence_types.0: unknown evidence type 'poster'"


def test_duplicate_action_id_is_refused(tmp_path, mini_raw):
    mini_raw["engagements"][1]["actions"][0]["id"] = "A.1"
    message = refusal(write_standard(tmp_path, mini_raw))
    assert message == "broken.yaml: action id 'A.1' appears twice"


def test_duplicate_evidence_type_id_is_refused(tmp_path, mini_raw):
    mini_raw["evidence_types"][1]["id"] = "leaflet"
    assert "evidence type id 'leaflet' appears twice" in refusal(write_standard(tmp_path, mini_raw))


def test_duplicate_engagement_id_is_refused(tmp_path, mini_raw):
    mini_raw["engagements"][1]["id"] = "A"
    assert "engagement id 'A' appears twice" in refusal(write_standard(tmp_path, mini_raw))


def test_an_evidence_type_listed_twice_in_one_action_is_refused(tmp_path, mini_raw):
    mini_raw["engagements"][0]["actions"][1]["evidence_types"] = ["rota", "rota"]
    assert "engagements.0.actions.1.evidence_types" in refusal(write_standard(tmp_path, mini_raw))


def test_missing_action_title_names_the_field(tmp_path, mini_raw):
    del mini_raw["engagements"][0]["actions"][0]["title"]
    message = refusal(write_standard(tmp_path, mini_raw))
    assert "engagements.0.actions.0.title" in message
    assert "required" in message.lower()


def test_blank_title_is_refused(tmp_path, mini_raw):
    mini_raw["title"] = ""
    assert ": title:" in refusal(write_standard(tmp_path, mini_raw))


def test_validity_of_zero_months_is_refused(tmp_path, mini_raw):
    mini_raw["evidence_types"][0]["validity_months"] = 0
    assert "evidence_types.0.validity_months" in refusal(write_standard(tmp_path, mini_raw))


def test_unknown_classification_is_refused(tmp_path, mini_raw):
    mini_raw["evidence_types"][1]["classification"] = "secret"
    assert "evidence_types.1.classification" in refusal(write_standard(tmp_path, mini_raw))


def test_empty_checklist_is_refused(tmp_path, mini_raw):
    mini_raw["evidence_types"][0]["checklist"] = []
    assert "evidence_types.0.checklist" in refusal(write_standard(tmp_path, mini_raw))


def test_action_without_evidence_types_is_refused(tmp_path, mini_raw):
    mini_raw["engagements"][1]["actions"][0]["evidence_types"] = []
    assert "engagements.1.actions.0.evidence_types" in refusal(write_standard(tmp_path, mini_raw))


def test_extra_unknown_key_is_refused_by_name(tmp_path, mini_raw):
    mini_raw["engagements"][0]["actions"][0]["colour"] = "red"
    assert "engagements.0.actions.0.colour" in refusal(write_standard(tmp_path, mini_raw))


def test_extra_unknown_key_at_top_level_is_refused(tmp_path, mini_raw):
    mini_raw["owner"] = "nobody"
    assert ": owner:" in refusal(write_standard(tmp_path, mini_raw))


def test_text_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "prose.yaml"
    path.write_text("id: [unclosed\n  title: {\n", encoding="utf-8")
    assert "YAML" in refusal(path)


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "photo.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x80")
    assert "YAML" in refusal(path)


def test_plain_sentence_is_refused_as_not_a_mapping(tmp_path):
    path = tmp_path / "sentence.yaml"
    path.write_text("Standard 3 is about safety.\n", encoding="utf-8")
    assert "mapping" in refusal(path)


def test_list_at_top_level_is_refused(tmp_path, mini_raw):
    path = tmp_path / "list.yaml"
    path.write_text(yaml.safe_dump([mini_raw]), encoding="utf-8")
    assert "mapping" in refusal(path)


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    assert "mapping" in refusal(path)


def test_load_standards_loads_every_file_of_a_folder(tmp_path):
    shutil.copy(BUNDLED_DIR / "vse-3.yaml", tmp_path / "vse-3.yaml")
    shutil.copy(MINI, tmp_path / "mini.yaml")
    standards = load_standards(tmp_path)
    assert set(standards) == {"vse-3", "demo-9"}
    assert len(standards["vse-3"].actions) == 8
    assert len(standards["demo-9"].actions) == 3


def test_load_standards_refuses_two_files_with_the_same_standard_id(tmp_path):
    shutil.copy(MINI, tmp_path / "a.yaml")
    shutil.copy(MINI, tmp_path / "b.yaml")
    with pytest.raises(StandardFileError, match="b.yaml: standard id 'demo-9' is already defined"):
        load_standards(tmp_path)


def test_load_standards_refuses_a_folder_with_one_broken_file(tmp_path, mini_raw):
    shutil.copy(MINI, tmp_path / "a.yaml")
    broken = copy.deepcopy(mini_raw)
    broken["id"] = "demo-10"
    broken["evidence_types"][0]["validity_months"] = 0
    write_standard(tmp_path, broken, "b.yaml")
    with pytest.raises(StandardFileError, match="b.yaml"):
        load_standards(tmp_path)


def test_a_second_standard_loads_and_scores_with_no_code_change():
    standard = load_standard_file(MINI)
    assert [e.id for e in standard.engagements] == ["A", "B"]
    assert [a.id for a in standard.actions] == ["A.1", "A.2", "B.1"]
    assert {t.id: (t.validity_months, t.classification) for t in standard.evidence_types} == {
        "leaflet": (6, "internal"),
        "rota": (6, "restricted"),
    }

    as_of = date(2026, 3, 1)
    leaflet_issued = date(2025, 10, 1)
    rota_issued = date(2025, 8, 31)

    def evidence(type_id, actions, issued_on, status):
        valid_until = add_months(issued_on, standard.evidence_type(type_id).validity_months)
        return EvidenceFact(type_id + str(issued_on), type_id, frozenset(actions), issued_on, valid_until, status)

    facts = OrganisationFacts(
        slug="front-desk",
        name="Front Desk Services",
        ratings={
            "A.1": RatingFact("A.1", "met"),
            "A.2": RatingFact("A.2", "partially_met"),
            "B.1": RatingFact("B.1", "not_met"),
        },
        evidence=(
            evidence("leaflet", ["A.1", "A.2"], leaflet_issued, "accepted"),  # valid to 2026-04-01
            evidence("rota", ["A.2", "B.1"], rota_issued, "accepted"),  # 6 months: ended 2026-02-28
        ),
    )
    result = assessment_to_dict(assess(standard, facts, as_of))

    assert result["standard"] == "demo-9"
    states = {(a["id"], s["evidence_type"]): (s["state"], s["expiring_soon"])
              for e in result["engagements"] for a in e["actions"] for s in a["slots"]}
    assert states == {
        ("A.1", "leaflet"): ("verified", True),
        ("A.2", "leaflet"): ("verified", True),
        ("A.2", "rota"): ("expired", False),
        ("B.1", "rota"): ("expired", False),
    }
    engagements = {e["id"]: e["scores"] for e in result["engagements"]}
    assert engagements["A"] == {"self_assessment": 0.75, "completeness": 0.75, "verified": 0.75}
    assert engagements["B"] == {"self_assessment": 0.0, "completeness": 0.0, "verified": 0.0}
    assert result["scores"] == {"self_assessment": 0.375, "completeness": 0.375, "verified": 0.375}
    assert result["readiness"] == "not_ready"
    assert {(g["kind"], g["action"], g["evidence_type"]) for g in result["gaps"]} == {
        ("partially_met", "A.2", None),
        ("not_met", "B.1", None),
        ("expired_evidence", "A.2", "rota"),
        ("expired_evidence", "B.1", "rota"),
        ("expiring_soon", "A.1", "leaflet"),
        ("expiring_soon", "A.2", "leaflet"),
    }
