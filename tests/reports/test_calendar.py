from datetime import UTC, date, datetime

from icalendar import Calendar

from reports.calendar import PRODID, deadlines_ics
from tests.reports import samples

GENERATED_AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
PLAN = samples.plan()


def _events(ics: bytes) -> list:
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def _build(plan=PLAN, expiring=None, org="Harbour House Victim Support") -> bytes:
    return deadlines_ics(org, plan, samples.expiring() if expiring is None else expiring, generated_at=GENERATED_AT)


def test_parses_back_with_one_event_per_open_dated_item_and_expiry():
    ics = _build()
    calendar = Calendar.from_ical(ics)
    assert str(calendar["PRODID"]) == PRODID
    events = _events(ics)
    summaries = [str(event["SUMMARY"]) for event in events]
    assert summaries[:2] == ["Due: Photograph new door entry system (3.2.1)", "Due: Train new volunteers (3.1.3)"]
    assert len(events) == 2 + len(samples.expiring())
    assert not any("Sign data protocol" in summary or "Undated" in summary for summary in summaries)


def test_events_are_all_day_on_the_right_dates():
    events = _events(_build())
    starts = [event.decoded("DTSTART") for event in events]
    assert starts[:2] == [date(2026, 12, 15), date(2026, 10, 1)]
    expected = [item.valid_until for item in samples.expiring()]
    assert starts[2:] == expected
    for event in events:
        start = event.decoded("DTSTART")
        assert type(start) is date
        assert (event.decoded("DTEND") - start).days == 1
        assert event.decoded("DTSTAMP") == GENERATED_AT


def test_restricted_evidence_is_named_by_type_only():
    ics = _build()
    text = ics.decode("utf-8")
    assert "Ground floor photos" not in text
    summaries = [str(event["SUMMARY"]) for event in _events(ics)]
    assert "Expires: Escape plan" in summaries
    assert "Expires: Premises photos" in summaries
    assert "Expires: Referral partner agreements" in summaries


def test_uids_are_stable_and_unique():
    first = [str(event["UID"]) for event in _events(_build())]
    again = [str(event["UID"]) for event in _events(
        deadlines_ics("Harbour House Victim Support", PLAN, samples.expiring(),
                      generated_at=datetime(2027, 1, 1, tzinfo=UTC)))]
    assert first == again
    assert len(set(first)) == len(first)
    other_org = [str(event["UID"]) for event in _events(_build(org="North Light Advocacy"))]
    assert not set(first) & set(other_org)


def test_naive_generated_at_and_empty_inputs():
    ics = deadlines_ics("Zoë's <b>Haven</b>", [], [], generated_at=datetime(2026, 11, 23, 9, 30))
    calendar = Calendar.from_ical(ics)
    assert _events(ics) == []
    assert "Zoë's <b>Haven</b>" in str(calendar["X-WR-CALNAME"])
