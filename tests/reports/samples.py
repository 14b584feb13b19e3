"""Plain report inputs for the reporting tests, shaped like `score --json` and its siblings."""
from __future__ import annotations

from datetime import date, timedelta

from scoring.report import LayerScores, TrendPoint
from services.board import ExpiringEvidence
from services.plan import PlanRow
from vocabulary import Readiness


def _slot(evidence_type: str, title: str, state: str, *, expiring_soon: bool = False,
          valid_until: str | None = "2027-03-01") -> dict:
    return {"evidence_type": evidence_type, "evidence_type_title": title, "state": state,
            "expiring_soon": expiring_soon, "valid_until": valid_until}


def _scores(self_assessment, completeness, verified) -> dict:
    return {"self_assessment": self_assessment, "completeness": completeness, "verified": verified}


def harbour_house() -> dict:
    """Standard 3 as the scoring engine reports it for a half-ready organisation."""
    return {
        "organisation": "harbour-house",
        "organisation_name": "Harbour House Victim Support",
        "standard": "vse-3",
        "standard_title": "Standard 3: Working to ensure victims are safe",
        "as_of": "2026-11-23",
        "readiness": "not_ready",
        "readiness_reason": "3 actions are not rated met and have no open plan item",
        "scores": _scores(0.75, 0.8333, 0.5),
        "engagements": [
            {"id": "3.1", "title": "Assess victims' safety, requirements, identifying risks and providing advice to victims",
             "scores": _scores(1.0, 1.0, 0.6667),
             "actions": [
                 {"id": "3.1.1", "title": "Work out a risk assessment for victims to identify risks", "rating": "met",
                  "scores": _scores(1.0, 1.0, 1.0), "ready": True,
                  "slots": [_slot("risk_assessment", "Risk assessment", "verified")]},
                 {"id": "3.1.2", "title": "Build a network to refer victims to, if necessary", "rating": "met",
                  "scores": _scores(1.0, 1.0, 1.0), "ready": True,
                  "slots": [_slot("network_agreements", "Network agreements", "verified", expiring_soon=True,
                                  valid_until="2026-12-20")]},
                 {"id": "3.1.3", "title": "Include risk assessment in training and intake process", "rating": "met",
                  "scores": _scores(1.0, 1.0, 0.0), "ready": False,
                  "slots": [_slot("risk_assessment_training", "Risk assessment training", "pending")]},
             ]},
            {"id": "3.2", "title": "Put into place safety and security measures, including basic standards of safety for victims within the premises",
             "scores": _scores(0.5, 0.5, 0.3333),
             "actions": [
                 {"id": "3.2.1", "title": "Take certain measures to make your premises safe and secure", "rating": "partially_met",
                  "scores": _scores(0.5, 0.3333, 0.3333), "ready": False,
                  "slots": [_slot("premises_photos", "Premises photos", "verified"),
                            _slot("safety_plan", "Safety plan", "expired", valid_until="2026-10-01"),
                            _slot("escape_plan", "Escape plan", "missing", valid_until=None)]},
                 {"id": "3.2.2", "title": "Inform victims about the steps taken to make the premises safe and secure", "rating": "partially_met",
                  "scores": _scores(0.5, 0.6667, 0.3333), "ready": False,
                  "slots": [_slot("safety_plan", "Safety plan", "rejected")]},
             ]},
            {"id": "3.3", "title": "Protect victims' data and ensure confidentiality, while respecting the requirements of national legislation",
             "scores": _scores(None, None, None),
             "actions": [
                 {"id": "3.3.1", "title": "Be clear and transparent about the fact that services are confidential", "rating": "not_applicable",
                  "scores": _scores(None, None, None), "ready": False,
                  "slots": [_slot("policy", "Policy", "missing", valid_until=None)]},
             ]},
        ],
        "gaps": [
            {"kind": "partially_met", "severity": "medium", "action": "3.2.1", "evidence_type": None,
             "message": "3.2.1 is rated partially met"},
            {"kind": "missing_evidence", "severity": "high", "action": "3.2.1", "evidence_type": "escape_plan",
             "message": "No escape plan is linked to 3.2.1"},
            {"kind": "expired_evidence", "severity": "high", "action": "3.2.1", "evidence_type": "safety_plan",
             "message": "The safety plan for 3.2.1 has expired"},
            {"kind": "expiring_soon", "severity": "low", "action": "3.1.2", "evidence_type": "network_agreements",
             "message": "Network agreements for 3.1.2 expire within 60 days"},
            {"kind": "rejected_evidence", "severity": "high", "action": "3.2.2", "evidence_type": "safety_plan",
             "message": "The safety plan for 3.2.2 was rejected"},
        ],
    }


def made_up_standard() -> dict:
    """A second standard with ids, actions and evidence types Standard 3 does not have."""
    return {
        "organisation": "north-light",
        "organisation_name": "North Light Advocacy",
        "standard": "demo-7",
        "standard_title": "Standard 7: Listening to victims",
        "as_of": "2026-05-01",
        "readiness": "approaching",
        "readiness_reason": "Every open action has a plan item",
        "scores": _scores(0.9, 0.75, 0.25),
        "engagements": [
            {"id": "7.A", "title": "Hear victims", "scores": _scores(0.9, 0.75, 0.25),
             "actions": [
                 {"id": "7.A.i", "title": "Run a feedback survey", "rating": "met", "scores": _scores(1.0, 1.0, 0.5),
                  "ready": False,
                  "slots": [_slot("survey", "Survey results", "verified"), _slot("minutes", "Meeting minutes", "pending")]},
                 {"id": "7.A.ii", "title": "Act on complaints", "rating": "partially_met", "scores": _scores(0.5, 0.5, 0.0),
                  "ready": False,
                  "slots": [_slot("complaints_log", "Complaints log", "missing", valid_until=None),
                            _slot("minutes", "Meeting minutes", "pending")]},
             ]},
        ],
        "gaps": [{"kind": "missing_evidence", "severity": "high", "action": "7.A.ii", "evidence_type": "complaints_log",
                  "message": "No complaints log is linked to 7.A.ii"}],
    }


def snapshots(count: int, *, start: date = date(2025, 12, 1)) -> list[TrendPoint]:
    """`count` monthly snapshots, oldest first, climbing towards the current scores."""
    rows = []
    for index in range(count):
        step = index / max(count - 1, 1)
        rows.append(TrendPoint(
            taken_on=start + timedelta(days=30 * index), readiness=Readiness.NOT_READY,
            scores=LayerScores(self_assessment=round(0.4 + 0.35 * step, 4), completeness=round(0.3 + 0.5333 * step, 4),
                               verified=round(0.1 + 0.4 * step, 4)),
        ))
    return rows


def expiring(as_of: date = date(2026, 11, 23)) -> list[ExpiringEvidence]:
    return [ExpiringEvidence(**{"review_status": "accepted", "expired": False, **row,
                                "valid_until": date.fromisoformat(row["valid_until"]),
                                "days_left": (date.fromisoformat(row["valid_until"]) - as_of).days}) for row in [
        {"title": "Referral partner agreements", "evidence_type": "network_agreements",
         "evidence_type_title": "Network agreements", "actions": ["3.1.2"],
         "valid_until": (as_of + timedelta(days=27)).isoformat(), "restricted": False},
        {"title": None, "evidence_type": "escape_plan", "evidence_type_title": "Escape plan",
         "actions": ["3.2.1"], "valid_until": (as_of + timedelta(days=48)).isoformat(), "restricted": True},
        {"title": "Ground floor photos, rear exit", "evidence_type": "premises_photos",
         "evidence_type_title": "Premises photos", "actions": ["3.2.1"],
         "valid_until": (as_of + timedelta(days=75)).isoformat(), "restricted": True},
        {"title": "Data protection policy", "evidence_type": "policy", "evidence_type_title": "Policy",
         "actions": ["3.3.1", "3.3.3"], "valid_until": (as_of + timedelta(days=200)).isoformat(),
         "restricted": False},
    ]]


def plan() -> list[PlanRow]:
    """Four plan items: one due, one overdue, one done, one without a due date."""
    return [
        PlanRow(id=1, action="3.2.1", description="Photograph new door entry system", owner="A. Manager",
                due=date(2026, 12, 15), done=False, overdue=False, gap_kind=""),
        PlanRow(id=2, action="3.1.3", description="Train new volunteers", owner="B. Lead",
                due=date(2026, 10, 1), done=False, overdue=True, gap_kind=""),
        PlanRow(id=3, action="3.3.3", description="Sign data protocol", owner="A. Manager",
                due=date(2026, 9, 1), done=True, overdue=False, gap_kind=""),
        PlanRow(id=4, action="3.3.1", description="Undated idea", owner="", due=None, done=False, overdue=False,
                gap_kind=""),
    ]
