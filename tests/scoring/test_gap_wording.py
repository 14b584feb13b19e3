"""Gap messages read as sentences for singular and plural evidence type titles."""
from scoring.engine import assess
from scoring.facts import OrganisationFacts, RatingFact
from tests.scoring.builders import AS_OF, evidence, vse3


def _messages(*items):
    ratings = {a.id: RatingFact(a.id, "met") for a in vse3().actions}
    facts = OrganisationFacts("x", "X", ratings=ratings, evidence=tuple(items))
    return [g.message for g in assess(vse3(), facts, AS_OF).gaps]


def test_a_plural_type_title_takes_a_plural_verb():
    messages = _messages()
    assert "No service procedures are linked to 3.3.2" in messages
    assert "No escape plan is linked to 3.2.1" in messages


def test_pending_plural_evidence_is_waiting_for_review():
    messages = _messages(evidence("network_agreements", "3.1.2", status="pending"))
    assert "The network agreements for 3.1.2 are waiting for review" in messages
