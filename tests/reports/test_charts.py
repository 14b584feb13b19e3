from dataclasses import replace
from datetime import date

import pytest

from reports import charts, tables
from reports.charts import (
    RAG_AMBER,
    RAG_GREEN,
    RAG_GREY,
    RAG_RED,
    SLOT_STATE_ORDER,
    engagement_rag_figure,
    expiry_timeline_figure,
    network_comparison_figure,
    rag_colour,
    score_layers_figure,
    score_trend_figure,
    slot_heatmap_figure,
    slot_state_colour,
)
from reports.tables import network_table
from scoring.report import ReportSummary, ScoreReport
from tests.reports import samples
from vocabulary import Readiness

typed = ScoreReport.from_json


def _heatmap_cell(figure, row_label: str, type_title: str) -> tuple[str | None, str]:
    """(colour, state label) of the cell for one evidence type in an action's row, the colour read through
    the figure's own scale; (None, "") when the action does not require that type."""
    heatmap = figure.data[0]
    row = list(heatmap.y).index(row_label)
    columns = [index for index, hover in enumerate(heatmap.customdata[row]) if f"<br>{type_title}: <b>" in hover]
    if not columns:
        return None, ""
    column = columns[0]
    hover = heatmap.customdata[row][column]
    code = heatmap.z[row][column]
    label = hover.split(f"{type_title}: <b>", 1)[1].split("</b>", 1)[0]
    assert heatmap.text[row][column].startswith(type_title.split()[0])  # the cell names its type
    count = len(SLOT_STATE_ORDER)
    position = (code + 0.5) / count
    colour = next(colour for stop, colour in heatmap.colorscale[::2] if stop <= position < stop + 1 / count)
    return colour, label


class TestHelpers:
    @pytest.mark.parametrize(("value", "colour"), [
        (1.0, RAG_GREEN), (0.8, RAG_GREEN), (0.7999, RAG_AMBER), (0.5, RAG_AMBER),
        (0.4999, RAG_RED), (0.0, RAG_RED), (None, RAG_GREY),
    ])
    def test_rag_colour_thresholds(self, value, colour):
        assert rag_colour(value) == colour

    @pytest.mark.parametrize(("state", "colour"), [
        ("verified", RAG_GREEN), ("pending", RAG_AMBER), ("missing", RAG_RED),
        ("rejected", RAG_RED), ("expired", RAG_RED), ("not_applicable", RAG_GREY), ("surprise", RAG_GREY),
    ])
    def test_slot_state_colour(self, state, colour):
        assert slot_state_colour(state) == colour

    def test_readiness_labels(self):
        assert [Readiness.label_of(r) for r in ("ready", "approaching", "not_ready")] == ["Ready", "Approaching", "Not ready"]

    def test_rag_colours_are_distinct(self):
        assert len({RAG_GREEN, RAG_AMBER, RAG_RED, RAG_GREY}) == 4


class TestScoreLayers:
    def test_bars_carry_the_three_scores_with_percent_labels(self):
        figure = score_layers_figure(typed(samples.harbour_house()))
        bar = figure.data[0]
        assert list(bar.x) == ["Self-assessed", "Evidence complete", "Verified"]
        assert list(bar.y) == [0.75, 0.8333, 0.5]
        assert list(bar.text) == ["75%", "83%", "50%"]
        assert list(bar.marker.color) == [RAG_AMBER, RAG_GREEN, RAG_AMBER]

    def test_title_states_claimed_against_proven(self):
        figure = score_layers_figure(typed(samples.harbour_house()))
        assert figure.layout.title.text == "Claimed 75% · proven 50%"

    def test_missing_scores_are_grey_and_say_na(self):
        score = samples.harbour_house() | {"scores": {"self_assessment": None, "completeness": None, "verified": None}}
        figure = score_layers_figure(typed(score))
        assert list(figure.data[0].marker.color) == [RAG_GREY] * 3
        assert [a.text for a in figure.layout.annotations] == ["N/A"] * 3
        assert "Claimed N/A" in figure.layout.title.text


def _rag_cell(figure, row_id: str, layer_label: str) -> tuple[str, str]:
    """(colour, text) of one cell of the RAG grid, the colour read through the figure's own scale."""
    grid = figure.data[0]
    row, column = list(grid.y).index(row_id), list(grid.x).index(layer_label)
    code = grid.z[row][column]
    return charts.RAG_ORDER[code], grid.text[row][column]


class TestEngagementGrid:
    def test_rows_are_engagements_followed_by_their_actions(self):
        grid = engagement_rag_figure(typed(samples.harbour_house())).data[0]
        assert list(grid.y) == ["3.1", "3.1.1", "3.1.2", "3.1.3", "3.2", "3.2.1", "3.2.2", "3.3", "3.3.1"]
        assert list(grid.x) == ["Self-assessed", "Evidence complete", "Verified"]

    def test_score_cells_show_percentages_in_rag_colours(self):
        figure = engagement_rag_figure(typed(samples.harbour_house()))
        assert _rag_cell(figure, "3.1", "Verified") == (RAG_AMBER, "67%")
        assert _rag_cell(figure, "3.1.1", "Verified") == (RAG_GREEN, "100%")
        assert _rag_cell(figure, "3.1.3", "Verified") == (RAG_RED, "0%")
        assert _rag_cell(figure, "3.3.1", "Verified") == (RAG_GREY, "N/A")  # not applicable
        code_colours = [colour for _, colour in figure.data[0].colorscale[::2]]
        assert code_colours == list(charts.RAG_ORDER)

    def test_each_row_has_a_title_line_with_the_rating(self):
        figure = engagement_rag_figure(typed(samples.harbour_house()))
        lines = [annotation.text for annotation in figure.layout.annotations]
        assert len(lines) == 9
        assert lines[1].endswith(" · Met") and lines[1].startswith("Work out a risk assessment")
        assert lines[0].startswith("<b>") and all(len(line.replace("<b>", "").replace("</b>", "")) <= 46
                                                  for line in lines)
        assert [annotation.y for annotation in figure.layout.annotations] == list(range(9))

    def test_user_text_is_escaped(self):
        score = samples.made_up_standard()
        score["engagements"][0]["title"] = "<script>alert(1)</script>"
        figure = engagement_rag_figure(typed(score))
        text = str(figure.to_dict())
        assert "<script>" not in text and "&lt;script&gt;" in figure.layout.annotations[0].text


class TestSlotHeatmap:
    def test_standard_3_grid(self):
        figure = slot_heatmap_figure(typed(samples.harbour_house()))
        heatmap = figure.data[0]
        assert list(heatmap.y) == ["3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2", "3.3.1"]
        assert list(heatmap.x) == ["1", "2", "3"]  # as many columns as the action with most slots
        assert _heatmap_cell(figure, "3.1.1", "Risk assessment") == (RAG_GREEN, "Verified")
        assert _heatmap_cell(figure, "3.2.1", "Escape plan") == (RAG_RED, "Missing")
        assert _heatmap_cell(figure, "3.2.1", "Safety plan") == (RAG_RED, "Expired")
        assert _heatmap_cell(figure, "3.2.2", "Safety plan") == (RAG_RED, "Rejected")
        assert _heatmap_cell(figure, "3.1.3", "Risk assessment training") == (RAG_AMBER, "Pending review")
        assert _heatmap_cell(figure, "3.1.2", "Network agreements") == (RAG_GREEN, "Verified · expiring")

    def test_each_cell_writes_its_type_and_state(self):
        heatmap = slot_heatmap_figure(typed(samples.harbour_house())).data[0]
        assert list(heatmap.text[3]) == ["Premises<br>photos<br><b>Verified</b>", "Safety plan<br><b>Expired</b>",
                                         "Escape plan<br><b>Missing</b>"]
        assert heatmap.text[1][0] == "Network<br>agreements<br><b>Verified ·<br>expiring</b>"

    def test_cells_an_action_does_not_require_stay_empty(self):
        figure = slot_heatmap_figure(typed(samples.harbour_house()))
        assert _heatmap_cell(figure, "3.1.1", "Escape plan") == (None, "")
        assert list(figure.data[0].z[0]) == [0, None, None]
        assert sum(code is not None for row in figure.data[0].z for code in row) == 8

    def test_not_applicable_action_is_grey(self):
        figure = slot_heatmap_figure(typed(samples.harbour_house()))
        assert _heatmap_cell(figure, "3.3.1", "Policy") == (RAG_GREY, "N/A")

    def test_a_second_standard_draws_its_own_rows_and_cells(self):
        figure = slot_heatmap_figure(typed(samples.made_up_standard()))
        heatmap = figure.data[0]
        assert list(heatmap.y) == ["7.A.i", "7.A.ii"]
        assert list(heatmap.x) == ["1", "2"]
        assert _heatmap_cell(figure, "7.A.i", "Survey results") == (RAG_GREEN, "Verified")
        assert _heatmap_cell(figure, "7.A.ii", "Complaints log") == (RAG_RED, "Missing")
        assert _heatmap_cell(figure, "7.A.i", "Complaints log") == (None, "")
        assert figure.layout.yaxis.type == "category"

    def test_empty_score_gives_a_note_not_an_error(self):
        figure = slot_heatmap_figure(replace(typed(samples.harbour_house()), engagements=()))
        assert not figure.data and "No evidence" in figure.layout.annotations[0].text


class TestTrend:
    def test_no_snapshots(self):
        figure = score_trend_figure([])
        assert not figure.data
        assert figure.layout.annotations[0].text == "No snapshots yet"

    def test_one_snapshot_shows_points(self):
        figure = score_trend_figure(samples.snapshots(1))
        assert [trace.name for trace in figure.data] == ["Self-assessed", "Evidence complete", "Verified"]
        assert all(trace.mode == "markers" and len(trace.y) == 1 for trace in figure.data)
        assert figure.data[0].y[0] == 0.4

    def test_twelve_snapshots_as_lines_on_a_percent_axis(self):
        rows = samples.snapshots(12)
        figure = score_trend_figure(rows)
        verified = figure.data[2]
        assert verified.mode == "lines+markers"
        assert list(verified.y) == [row.scores.verified for row in rows]
        assert verified.x[0] == date(2025, 12, 1)
        assert verified.text[-1] == "50%"
        assert tuple(figure.layout.yaxis.range) == (0, 1.05)
        assert figure.layout.yaxis.tickformat == ".0%"
        assert len({trace.line.dash for trace in figure.data}) == 3

    def test_unordered_snapshots_are_sorted_and_gaps_kept(self):
        rows = samples.snapshots(3)[::-1]
        rows[0] = replace(rows[0], scores=replace(rows[0].scores, verified=None))
        figure = score_trend_figure(rows)
        assert list(figure.data[2].x) == sorted(figure.data[2].x)
        assert figure.data[2].y[-1] is None


class TestExpiryTimeline:
    def test_only_the_next_90_days_and_restricted_by_type(self):
        as_of = date(2026, 11, 23)
        figure = expiry_timeline_figure(samples.expiring(as_of), as_of)
        points = figure.data[0]
        assert list(points.y) == ["Referral partner agreements (3.1.2)", "Escape plan (3.2.1)",
                                  "Premises photos (3.2.1)"]
        assert list(points.text) == ["in 27 days", "in 48 days", "in 75 days"]
        assert list(points.marker.color) == [RAG_RED, RAG_AMBER, RAG_GREEN]
        assert "Ground floor" not in str(figure.to_dict())
        assert "Data protection policy" not in str(figure.to_dict())

    def test_nothing_expiring(self):
        figure = expiry_timeline_figure([], "2026-11-23")
        assert not figure.data and "Nothing expires" in figure.layout.annotations[0].text


class TestNetwork:
    def test_comparison_coloured_by_readiness_with_layer_text(self):
        figure = network_comparison_figure([ReportSummary.from_json(samples.harbour_house()),
                                            ReportSummary.from_json(samples.made_up_standard())])
        assert [trace.name for trace in figure.data] == ["Self-assessed", "Evidence complete", "Verified"]
        verified = figure.data[2]
        assert list(verified.x) == [0.5, 0.25]
        assert list(verified.text) == ["Verified 50%", "Verified 25%"]
        assert list(verified.marker.color) == [RAG_RED, RAG_AMBER]
        assert "Not ready" in verified.y[0] and "Approaching" in verified.y[1]

    def test_table_with_percentages_and_high_gaps(self):
        frame = network_table([ReportSummary.from_json(samples.made_up_standard()),
                               ReportSummary.from_json(samples.harbour_house())])
        assert list(frame.columns) == list(tables.NETWORK_TABLE_LABELS)
        assert list(frame["organisation"]) == ["harbour-house", "north-light"]
        first = frame.iloc[0]
        assert first["readiness"] == "Not ready"
        assert (first["self_assessment"], first["completeness"], first["verified"]) == (75.0, 83.3, 50.0)
        assert first["high_gaps"] == 3
        assert list(frame.sort_values("verified")["organisation"]) == ["north-light", "harbour-house"]

    def test_empty_network(self):
        assert network_table([]).empty
        assert not network_comparison_figure([]).data


class TestCycleComparison:
    def test_closed_and_current_layers_side_by_side(self):
        figure = charts.cycle_comparison_figure(typed(samples.harbour_house()), typed(samples.made_up_standard()),
                                                labels=("Cycle 2025", "Cycle <2026>"))
        assert [trace.name for trace in figure.data] == ["Cycle 2025", "Cycle &lt;2026&gt;"]
        assert list(figure.data[0].text) == ["75%", "83%", "50%"]
        assert list(figure.data[1].y) == [0.9, 0.75, 0.25]
        assert figure.layout.barmode == "group"

    def test_table_rows_follow_the_current_report_with_before_and_now(self):
        previous = samples.harbour_house()
        current = samples.harbour_house()
        current["scores"]["verified"] = 0.75
        current["engagements"][0]["actions"][0]["rating"] = "partially_met"
        frame = tables.cycle_comparison_table(typed(previous), typed(current))
        assert list(frame["id"][:3]) == ["", "3.1", "3.1.1"]
        whole = frame.iloc[0]
        assert (whole["verified_before"], whole["verified_now"]) == (50.0, 75.0)
        first_action = frame.iloc[2]
        assert (first_action["rating_before"], first_action["rating_now"]) == ("Met", "Partially met")
        assert set(tables.CYCLE_TABLE_LABELS) == set(frame.columns)

    def test_an_action_only_the_closed_cycle_had_comes_last(self):
        frame = tables.cycle_comparison_table(typed(samples.made_up_standard()), typed(samples.harbour_house()))
        assert list(frame["id"][-3:]) == ["7.A", "7.A.i", "7.A.ii"]
        last = frame.iloc[-2]
        assert (last["rating_before"], last["rating_now"], last["verified_before"]) == ("Met", "", 50.0)
        assert frame["verified_now"].isna().iloc[-1]


def _network_of(count: int) -> list[ReportSummary]:
    """`count` organisations whose verified scores spread over 0–100 % (a few without any score)."""
    network = []
    for index in range(count):
        value = None if index % 97 == 96 else (index * 37 % 101) / 100
        network.append({"organisation": f"org-{index}", "organisation_name": f"Org {index}", "readiness": "not_ready",
                        "scores": {"self_assessment": value, "completeness": value, "verified": value}, "gaps": []})
    return [ReportSummary.from_json(score) for score in network]


@pytest.mark.parametrize("count", [10, 1000])
def test_the_network_distribution_reads_the_same_at_10_and_1000_organisations(count):
    from reports.charts import network_distribution_figure
    from reports.tables import score_band_counts

    network = _network_of(count)
    bands = score_band_counts(network, "verified")
    scored = sum(1 for score in network if score.scores.verified is not None)
    assert [label for label, _, _ in bands][0] == "0–10%" and bands[-1][0] == "90–100%"
    assert sum(n for _, n, _ in bands) == scored  # every scored organisation in exactly one band
    figure = network_distribution_figure(network, "verified")
    (bars,) = figure.data
    assert len(bars.x) == 10 and figure.layout.height == 340  # ten bars whatever the count: no per-organisation bar
    assert list(bars.y) == [n for _, n, _ in bands]
    assert [text for text in bars.text if text] == [str(n) for _, n, _ in bands if n]  # counts written on the bars
    colours = list(bars.marker.color)
    assert colours[0] == RAG_RED and colours[-1] == RAG_GREEN and len(set(colours)) == 3  # by band, not all red
    assert figure.layout.xaxis.tickangle == -45  # ten band labels side by side would run into each other


@pytest.mark.parametrize("count", [1, 2, 10, 1000])
def test_the_network_distribution_counts_in_whole_numbers(count):
    """The count axis steps by whole organisations (never "0, 1, 1, 2, 2") with a handful of ticks."""
    from reports.charts import network_distribution_figure

    figure = network_distribution_figure(_network_of(count), "verified")
    step = figure.layout.yaxis.dtick
    top = figure.layout.yaxis.range[1]
    assert isinstance(step, int) and step >= 1
    assert top / step <= 10
