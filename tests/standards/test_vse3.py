"""The bundled Standard 3 says exactly what DESIGN.md's table and the seed text say."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from standards.loader import BUNDLED_DIR, bundled_standards, get_standard, load_standard_file

REPO = Path(__file__).resolve().parents[2]
SEED_DIR = REPO.parent / "shared" / "seed"

ENGAGEMENTS = {
    "3.1": "Assess victims' safety, requirements, identifying risks and providing advice to victims",
    "3.2": "Put into place safety and security measures, including basic standards of safety for victims within the premises",
    "3.3": "Protect victims' data and ensure confidentiality, while respecting the requirements of national legislation",
}
ACTIONS = {
    "3.1.1": ("3.1", "Work out a risk assessment for victims to identify risks"),
    "3.1.2": ("3.1", "Build a network to refer victims to, if necessary"),
    "3.1.3": ("3.1", "Include risk assessment in training and intake process"),
    "3.2.1": ("3.2", "Take certain measures to make your premises safe and secure"),
    "3.2.2": ("3.2", "Inform victims about the steps taken to make the premises safe and secure"),
    "3.3.1": ("3.3", "Be clear and transparent about the fact that services are confidential"),
    "3.3.2": ("3.3", "Ensure information on client victims is recorded and can be shared in an easy and safe way "
                     "within the organization and with partner organizations"),
    "3.3.3": ("3.3", "Work out data protection protocols conform national and international law"),
}
SLOTS = [
    ("3.1.1", "risk_assessment"),
    ("3.1.2", "network_agreements"),
    ("3.1.3", "risk_assessment_training"),
    ("3.2.1", "premises_photos"),
    ("3.2.1", "safety_plan"),
    ("3.2.1", "escape_plan"),
    ("3.2.2", "safety_plan"),
    ("3.3.1", "policy"),
    ("3.3.2", "service_procedures"),
    ("3.3.3", "policy"),
    ("3.3.3", "service_procedures"),
]
EVIDENCE_TYPE_TITLES = {
    "risk_assessment": "Risk assessment",
    "risk_assessment_training": "Training on risk assessment",
    "network_agreements": "Network agreements",
    "premises_photos": "Pictures of premises",
    "safety_plan": "Safety plan",
    "escape_plan": "Escape plan",
    "policy": "Policy",
    "service_procedures": "Service procedures",
}
RESTRICTED = {"premises_photos", "escape_plan", "safety_plan"}


@pytest.fixture(scope="module")
def vse3():
    return load_standard_file(BUNDLED_DIR / "vse-3.yaml")


def test_bundled_folder_carries_vse3():
    assert "vse-3" in bundled_standards()
    assert get_standard("vse-3").title == "Standard 3: Working to ensure victims are safe"


def test_unknown_standard_id_is_a_key_error():
    with pytest.raises(KeyError, match="vse-99"):
        get_standard("vse-99")


def test_three_engagements_with_the_design_ids_and_titles(vse3):
    assert {e.id: e.title for e in vse3.engagements} == ENGAGEMENTS
    assert [e.id for e in vse3.engagements] == ["3.1", "3.2", "3.3"]


def test_eight_actions_with_the_design_ids_titles_and_engagements(vse3):
    found = {a.id: (vse3.engagement_of(a.id).id, a.title) for a in vse3.actions}
    assert found == ACTIONS
    assert [a.id for a in vse3.actions] == list(ACTIONS)


def test_eleven_slots_exactly_as_the_design_table(vse3):
    assert [(s.action_id, s.evidence_type) for s in vse3.slots] == SLOTS


def test_eight_evidence_types_each_valid_for_twelve_months(vse3):
    assert {t.id: t.title for t in vse3.evidence_types} == EVIDENCE_TYPE_TITLES
    assert {t.id: t.validity_months for t in vse3.evidence_types} == dict.fromkeys(EVIDENCE_TYPE_TITLES, 12)


def test_premises_photos_escape_plan_and_safety_plan_are_restricted_and_the_rest_internal(vse3):
    classification = {t.id: t.classification for t in vse3.evidence_types}
    assert {t for t, c in classification.items() if c == "restricted"} == RESTRICTED
    assert {t for t, c in classification.items() if c == "internal"} == set(EVIDENCE_TYPE_TITLES) - RESTRICTED


def test_every_evidence_type_has_a_checklist_with_no_blank_item(vse3):
    for evidence_type in vse3.evidence_types:
        assert evidence_type.checklist, evidence_type.id
        assert all(item.strip() for item in evidence_type.checklist), evidence_type.id


def test_escape_plan_checklist_mentions_exits_and_the_assembly_point(vse3):
    checklist = " ".join(vse3.evidence_type("escape_plan").checklist).lower()
    assert "exit" in checklist
    assert "assembly point" in checklist


def _seed_guidance(text: str) -> dict[str, str]:
    """Action title (without its full stop) -> the paragraph that follows it in the seed text."""
    lines = text.splitlines()
    guidance: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = re.fullmatch(r"- \*(.+)\.\*", line.strip())
        if not match:
            continue
        rest = iter(lines[index + 1:])
        paragraph: list[str] = []
        for following in rest:
            if following.strip():
                paragraph.append(following.strip())
                break
        for following in rest:
            if not following.strip():
                break
            paragraph.append(following.strip())
        guidance[match.group(1)] = " ".join(paragraph)
    return guidance


def test_each_action_guidance_is_the_seed_paragraph_word_for_word(vse3):
    seed_files = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.is_dir() else []
    if not seed_files:
        pytest.skip(f"seed text not present next to the repository ({SEED_DIR.name} folder absent)")
    seed = {}
    for path in seed_files:
        seed.update(_seed_guidance(path.read_text(encoding="utf-8")))
    for action in vse3.actions:
        assert action.title in seed, f"{action.id}: title not found in the seed text"
        assert action.guidance == seed[action.title], f"{action.id}: guidance differs from the seed"
