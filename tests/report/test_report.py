"""render_report without a browser: the numbers in the page equal the marts', every chart has its
marks, the page needs nothing outside itself, and it is replaced whole or not at all."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from leadhouse.warehouse import marts_path
from report import render_report
from report.charts import CHARTS
from tests.report.report_html import Page, read_report
from tests.report.tiny_marts import AS_OF, TINY_ROWS, build_tiny_marts, mart_columns


def render(source: Path, out: Path) -> Page:
    render_report(source, out)
    return read_report(out.read_text())


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, Page]:
    folder = tmp_path_factory.mktemp("tiny")
    source = build_tiny_marts(folder / "published" / "leadhouse.duckdb")
    return source, render(source, folder / "published" / "report.html")


def test_every_chart_is_drawn_with_its_marks_counted(tiny):
    _, page = tiny
    assert list(page.sections) == [chart.id for chart in CHARTS]
    for chart, section in page.sections.items():
        assert section.marks >= 1, chart
        assert int(section.attributes["data-points"]) == section.marks, chart


def test_the_figures_are_the_marts_rows_the_charts_are_about(tiny):
    """The tiny marts carry decoy rows (other grains, segments, stages); none may count."""
    _, page = tiny
    funnel = page.sections["funnel"]
    assert funnel.number("web_form", "New") == 100  # 40 + 60: months summed, the week row left out
    assert funnel.number("referral", "Closed Won") == 5
    assert funnel.rows == ["referral", "web_form"]  # no 'all' segment
    assert page.kpis["leads"] == "122"

    assert page.sections["conversion_rate"].number("2026-10-01", "web_form") == 4 / 60
    assert page.sections["cohorts"].number("2026-09-01", "week 2") == 6 / 50

    time_to_conversion = page.sections["time_to_conversion"]
    assert {r: time_to_conversion.number(r, "leads") for r in time_to_conversion.rows} == {
        "0": 1,
        "7": 2,
        "14": 1,
    }
    assert page.kpis["converted"] == "4"

    in_stage = page.sections["time_in_stage"]
    assert in_stage.number("Contacted", "median_hours") == 200.25
    assert in_stage.number("Closed Lost", "p90_hours") == 7000.0  # in the numbers, not in the chart
    assert in_stage.attributes["data-points"] == "4"  # New and Contacted: median and p90

    agents = page.sections["agent_leaderboard"]
    assert agents.rows == [f"a{i:02d}" for i in range(1, 11)]  # top 10 by revenue; a12's day row not summed
    assert agents.number("a01", "revenue_won") == 150_000.5
    assert agents.number("a01", "deals_won") == 3
    assert agents.number("a01", "conversion_rate") == 3 / 18

    forecast = page.sections["pipeline_forecast"]
    assert forecast.rows == ["30", "60", "90"]
    assert forecast.number("30", "forecast_revenue") == 123_456.5
    assert float(page.kpis["forecast"]) == 123_456.5
    assert page.sections["pipeline_by_stage"].number("Negotiation", "weighted_pipeline") == 160_000.0
    assert float(page.kpis["weighted_pipeline"]) == 50_000.0 + 100_000.0 + 160_000.0

    roi = page.sections["campaign_roi"]
    assert roi.rows == ["gs_brand", "li_hq", "fb_retail"]  # spend > 0, best return first
    assert roi.number("fb_retail", "return_on_ad_spend") == 0.5
    assert roi.cells[("gs_brand", "spend_channel")] == "google_ads"

    grades = page.sections["grade_mix"]
    assert grades.rows == ["2026-10-31", "2026-11-01"]  # the week row left out
    assert grades.number("2026-11-01", "A leads") == 7
    assert grades.number("2026-10-31", "F share") == 0.8
    assert ("2026-11-01", "90-100 leads") not in grades.cells

    quarantine = page.sections["quarantine"]
    assert quarantine.number("web_forms", "rows_read") == 150
    assert quarantine.number("web_forms", "rows_quarantined") == 3
    assert page.kpis["quarantined"] == "4"
    issues = page.sections["field_issues"]
    assert issues.number("web_forms", "nulled") == 4
    assert issues.number("web_forms", "total") == 6

    assert page.as_of == AS_OF.strftime("%Y-%m-%d %H:%M UTC")


def test_the_page_needs_nothing_outside_itself(tiny):
    _, page = tiny
    assert page.scripts == 0
    assert page.external == []


def test_the_tiny_marts_have_the_documented_columns():
    columns = mart_columns()
    for mart, rows in TINY_ROWS.items():
        assert {key for row in rows for key in row} <= {name for name, _ in columns[mart]}, mart


def test_a_mart_missing_from_the_copy_is_a_notice_not_a_failure(tmp_path):
    source = build_tiny_marts(tmp_path / "leadhouse.duckdb", leave_out=("pipeline_forecast",))
    summary = render_report(source, tmp_path / "report.html")
    page = read_report((tmp_path / "report.html").read_text())
    assert summary.missing == {"pipeline_forecast": ("pipeline_forecast",)}
    assert "pipeline_forecast" not in summary.marks and len(summary.marks) == len(CHARTS) - 1
    assert page.sections["pipeline_forecast"].attributes["data-points"] == "0"
    assert "forecast" not in page.kpis
    assert "marts.pipeline_forecast is not in the published copy" in (tmp_path / "report.html").read_text()


def test_marts_without_the_rows_a_chart_reads_give_a_notice_not_a_failure(tmp_path):
    """A new deployment (no win yet, no score history) or a config without the month grain."""
    source = build_tiny_marts(tmp_path / "leadhouse.duckdb")
    with duckdb.connect(str(source)) as conn:
        conn.execute("update marts.fct_lead_journeys set is_converted = false, days_to_conversion = null")
        conn.execute("delete from marts.score_grade_mix")
        conn.execute("delete from marts.funnel_by_period where period_grain = 'month'")
    summary = render_report(source, tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text()
    assert not summary.missing and {"grade_mix", "funnel"}.isdisjoint(summary.marks)
    assert "Nothing to draw yet: marts.score_grade_mix has no rows." in html
    assert "Nothing to draw yet: marts.funnel_by_period has no month rows by channel" in html
    assert "time_to_conversion" in summary.marks  # an empty histogram, drawn


def test_the_report_is_replaced_whole_or_not_at_all(tmp_path):
    source = build_tiny_marts(tmp_path / "leadhouse.duckdb")
    out = tmp_path / "published" / "report.html"
    first = render_report(source, out)
    assert first.size == out.stat().st_size and first.path == out
    before = out.read_text()
    with duckdb.connect(str(source)) as conn:  # a mart the charts cannot read
        conn.execute("drop table marts.funnel_cohorts")
        conn.execute("create table marts.funnel_cohorts as select 1 as something_else")
    with pytest.raises(duckdb.BinderException):
        render_report(source, out)
    assert out.read_text() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html"]


def test_a_missing_source_names_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="materialize published/warehouse first"):
        render_report(tmp_path / "nothing.duckdb", tmp_path / "report.html")
    assert not (tmp_path / "report.html").exists()


@pytest.fixture(scope="module")
def sample(tmp_path_factory, built_sample) -> tuple[duckdb.DuckDBPyConnection, Page]:
    """The report of a copy of the session's built sample (tests/sample_build.py), and that copy to
    query."""
    folder = tmp_path_factory.mktemp("sample")
    copy = folder / "leadhouse.duckdb"
    shutil.copyfile(marts_path(built_sample.warehouse), copy)  # the marts, as published
    page = render(copy, folder / "report.html")
    with duckdb.connect(str(copy), read_only=True) as conn:
        yield conn, page


def test_on_the_sample_every_chart_has_marks(sample):
    _, page = sample
    for chart, section in page.sections.items():
        assert section.marks >= 1 and int(section.attributes["data-points"]) == section.marks, chart


def test_on_the_sample_the_numbers_equal_the_marts(sample):
    conn, page = sample

    def rows(sql: str) -> list[tuple]:
        return conn.execute(sql).fetchall()

    funnel = page.sections["funnel"]
    expected = rows(
        "select segment_value, step, sum(leads_reached) from marts.funnel_by_period "
        "where period_grain = 'month' and segment_type = 'channel' group by all"
    )
    assert expected and {(c, s): funnel.number(c, s) for c, s, _ in expected} == {
        (c, s): n for c, s, n in expected
    }

    (forecast,) = rows(
        "select forecast_revenue from marts.pipeline_forecast where stage = 'all' and horizon_days = 30"
    )[0]
    assert page.sections["pipeline_forecast"].number("30", "forecast_revenue") == pytest.approx(forecast)
    assert float(page.kpis["forecast"]) == pytest.approx(forecast)

    top = rows(
        "select agent_id, sum(revenue_won) as revenue from marts.agent_performance where period_grain = 'month' "
        "group by agent_id order by revenue desc, agent_id limit 10"
    )
    agents = page.sections["agent_leaderboard"]
    assert agents.rows == [agent for agent, _ in top]
    assert [agents.number(agent, "revenue_won") for agent, _ in top] == pytest.approx([r for _, r in top])

    cohorts = page.sections["cohorts"]
    for cohort, week, rate in rows(
        "select cohort_month, weeks_since_creation, cumulative_conversion_rate from marts.funnel_cohorts"
    ):
        assert cohorts.number(cohort.isoformat(), f"week {week}") == rate

    conversion = page.sections["conversion_rate"]
    for month, channel, rate in rows(
        "select period_start, segment_value, conversion_rate from marts.conversion_metrics "
        "where period_grain = 'month' and segment_type = 'channel' and conversion_rate is not null"
    ):
        assert conversion.number(month.isoformat(), channel) == rate

    in_stage = page.sections["time_in_stage"]
    for stage, median in rows(
        "select stage, median_hours from marts.funnel_time_in_stage where median_hours > 0"
    ):
        assert in_stage.number(stage, "median_hours") == median

    roi = page.sections["campaign_roi"]
    campaigns = rows("select campaign, return_on_ad_spend from marts.campaign_performance where spend > 0")
    assert sorted(roi.rows) == sorted(c for c, _ in campaigns)
    assert all(roi.number(c, "return_on_ad_spend") == r for c, r in campaigns)

    grades = page.sections["grade_mix"]
    for day, grade, leads in rows(
        "select period_start, bucket, leads from marts.score_grade_mix "
        "where dimension = 'grade' and period_grain = 'day'"
    ):
        assert grades.number(day.isoformat(), f"{grade} leads") == leads

    (converted,) = rows(
        "select count(*) from marts.fct_lead_journeys where is_converted and days_to_conversion >= 0"
    )[0]
    histogram = page.sections["time_to_conversion"]
    assert sum(histogram.number(r, "leads") for r in histogram.rows) == converted

    quarantine = page.sections["quarantine"]
    for source, quarantined in rows(
        "select source, sum(rows_quarantined) from marts.fct_ingestion_quality group by source"
    ):
        assert quarantine.number(source, "rows_quarantined") == quarantined
    issues = page.sections["field_issues"]
    for source, count in rows("select source, sum(issue_count) from marts.fct_field_issues group by source"):
        assert issues.number(source, "total") == count
