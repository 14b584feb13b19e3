"""The organisation's self-assessment of each action."""
from __future__ import annotations

from sqlmodel import Session, select

import vocabulary
from accounts.permissions import Principal, require
from services.errors import ServiceError
from services.organisations import current_cycle, lock_current_cycle
from standards.loader import get_standard
from storage.audit import append_audit, text_digest
from storage.models import Rating, utc_now


def set_rating(
    session: Session, principal: Principal, *, organisation_id: int, action_id: str, rating: str,
    justification: str = "", owner: str = "", require_justification: bool = True,
) -> Rating:
    """Sets the rating of one action (audited). A bundle import passes `require_justification=False`: a
    `not_applicable` rating without a justification is then kept as it is, as the na_without_justification gap."""
    require(principal, "rate", organisation_id)
    cycle = lock_current_cycle(session, organisation_id)
    standard = get_standard(cycle.standard_id)
    if not standard.has_action(action_id):
        raise ServiceError(f"Unknown action '{action_id}' in {standard.id}.")
    if rating not in tuple(vocabulary.Rating):
        raise ServiceError(f"Unknown rating '{rating}': choose one of {', '.join(vocabulary.Rating)}.")
    justification, owner = justification.strip(), owner.strip()
    if rating == vocabulary.Rating.NOT_APPLICABLE and not justification and require_justification:
        raise ServiceError(f"Say why {action_id} does not apply: a justification is required for 'not applicable'.")
    row = session.exec(select(Rating).where(Rating.cycle_id == cycle.id, Rating.action_id == action_id)
                       .execution_options(populate_existing=True)).first()
    before = row.rating if row else vocabulary.Rating.NOT_ASSESSED
    row = row or Rating(cycle_id=cycle.id, action_id=action_id)
    row.rating, row.justification, row.owner = rating, justification[:4000], owner[:200]
    row.updated_at, row.updated_by = utc_now(), principal.user_id
    session.add(row)
    append_audit(session, actor=principal.username, action="rating.set", organisation_id=organisation_id,
                 target=action_id, detail={"from": before, "to": rating, "owner": row.owner, "cycle": cycle.id,
                                           "justification": text_digest(row.justification)})
    session.flush()
    return row


def ratings_of_cycle(session: Session, cycle_id: int) -> dict[str, Rating]:
    return {r.action_id: r for r in session.exec(select(Rating).where(Rating.cycle_id == cycle_id))}


def ratings_of_organisation(session: Session, principal: Principal, *, organisation_id: int) -> dict[str, dict]:
    """The current cycle's ratings by action id, with justification and owner (actions not rated are absent)."""
    require(principal, "view_scores", organisation_id)
    cycle = current_cycle(session, organisation_id)
    return {
        action_id: {"rating": row.rating, "justification": row.justification, "owner": row.owner,
                    "updated_at": row.updated_at}
        for action_id, row in ratings_of_cycle(session, cycle.id).items()
    }
