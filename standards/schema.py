"""The shape of a standard file, validated with pydantic."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EvidenceType(StrictModel):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    validity_months: int = Field(ge=1, le=120)
    classification: Literal["internal", "restricted"]
    description: str = ""
    checklist: tuple[str, ...] = Field(min_length=1)
    plural: bool = False  # the title is a plural noun ("Network agreements"): messages say "are"


class Action(StrictModel):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    guidance: str = ""
    evidence_types: tuple[str, ...] = Field(min_length=1)

    @field_validator("evidence_types")
    @classmethod
    def no_repeated_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("an evidence type is listed twice")
        return value


class Engagement(StrictModel):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    actions: tuple[Action, ...] = Field(min_length=1)


class Slot(StrictModel):
    action_id: str
    evidence_type: str


class Standard(StrictModel):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    short_title: str = ""
    version: int = 1
    evidence_types: tuple[EvidenceType, ...] = Field(min_length=1)
    engagements: tuple[Engagement, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def ids_are_consistent(self) -> Standard:
        type_ids = [t.id for t in self.evidence_types]
        _refuse_repeats("evidence type", type_ids)
        _refuse_repeats("engagement", [e.id for e in self.engagements])
        _refuse_repeats("action", [a.id for a in self.actions])
        known = set(type_ids)
        for e_index, engagement in enumerate(self.engagements):
            for a_index, action in enumerate(engagement.actions):
                for t_index, type_id in enumerate(action.evidence_types):
                    if type_id not in known:
                        raise ValueError(
                            f"engagements.{e_index}.actions.{a_index}.evidence_types.{t_index}: "
                            f"unknown evidence type '{type_id}'"
                        )
        return self

    @property
    def actions(self) -> list[Action]:
        return [action for engagement in self.engagements for action in engagement.actions]

    @property
    def slots(self) -> list[Slot]:
        return [Slot(action_id=a.id, evidence_type=t) for a in self.actions for t in a.evidence_types]

    def action(self, action_id: str) -> Action:
        for action in self.actions:
            if action.id == action_id:
                return action
        raise KeyError(action_id)

    def evidence_type(self, type_id: str) -> EvidenceType:
        for evidence_type in self.evidence_types:
            if evidence_type.id == type_id:
                return evidence_type
        raise KeyError(type_id)

    def engagement_of(self, action_id: str) -> Engagement:
        for engagement in self.engagements:
            if any(a.id == action_id for a in engagement.actions):
                return engagement
        raise KeyError(action_id)

    def has_action(self, action_id: str) -> bool:
        return any(a.id == action_id for a in self.actions)

    def has_evidence_type(self, type_id: str) -> bool:
        return any(t.id == type_id for t in self.evidence_types)

    def actions_requiring(self, type_id: str) -> list[str]:
        return [a.id for a in self.actions if type_id in a.evidence_types]


def _refuse_repeats(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{what} id '{item}' appears twice")
        seen.add(item)
