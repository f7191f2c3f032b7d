"""The analytics marts on the default sample (10,000 people, seed 42): the campaign A/B test finds
the generator's real difference and none between identical variants, the statistics equal scipy's,
and the marts reconcile with each other and with the lead-level facts they count.

The warehouse is the session's built sample (tests/sample_build.py, the `built_sample` fixture)."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from leadhouse.warehouse import connect as connect_warehouse

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def marts(built_sample):
    with connect_warehouse(built_sample.warehouse, read_only=True) as conn:
        yield conn


def one(conn, sql: str):
    return conn.execute(sql).fetchone()


def test_the_ab_test_finds_script_b_and_nothing_between_identical_greetings(marts):
    tests = {
        (test, variant): (leads, converted, significant)
        for test, variant, leads, converted, significant in marts.execute(
            "select test_id, variant_number, leads, converted_leads, is_significant from marts.campaign_ab_tests"
        ).fetchall()
    }
    a_leads, a_won, _ = tests["prospecting_script", 1]
    b_leads, b_won, b_significant = tests["prospecting_script", 2]
    assert min(a_leads, b_leads) >= 100
    assert b_won / b_leads > 1.5 * a_won / a_leads and b_significant is True
    assert tests["website_phone_greeting", 2][2] is False
    assert tests["website_phone_greeting", 1][2] is None  # the control is not tested against itself


def test_ab_statistics_equal_scipy(marts):
    z = stats.norm.ppf(0.975)
    for leads, won, rate, low, high, z_score, p_value, c_leads, c_won in marts.execute(
        """
        select v.leads, v.converted_leads, v.conversion_rate, v.conversion_rate_ci_low,
            v.conversion_rate_ci_high, v.z_score, v.p_value, c.leads, c.converted_leads
        from marts.campaign_ab_tests as v
        inner join marts.campaign_ab_tests as c on v.test_id = c.test_id and c.is_control
        """
    ).fetchall():
        wilson = stats.binomtest(won, leads).proportion_ci(confidence_level=0.95, method="wilson")
        assert rate == won / leads
        assert low == pytest.approx(wilson.low, abs=1e-6) and high == pytest.approx(wilson.high, abs=1e-6)
        if leads == c_leads and won == c_won:
            continue
        pooled = (won + c_won) / (leads + c_leads)
        expected_z = (won / leads - c_won / c_leads) / math.sqrt(
            pooled * (1 - pooled) * (1 / leads + 1 / c_leads)
        )
        assert z_score == pytest.approx(expected_z, rel=1e-9)
        assert p_value == pytest.approx(2 * stats.norm.sf(abs(expected_z)), abs=1e-6)
    assert z == pytest.approx(1.959964, abs=1e-6)  # analytics.ab_tests.z


def test_conversion_metrics_add_up_to_the_leads_they_count(marts):
    leads, qualified, won, revenue = one(
        marts,
        "select count(*), count(qualified_at), count(won_at), sum(won_amount) from intermediate.int_funnel_leads",
    )
    for grain in ("day", "week", "month"):
        assert one(
            marts,
            "select sum(leads), sum(qualified_leads), sum(converted_leads), sum(deals_won), sum(revenue_won) "
            f"from marts.conversion_metrics where period_grain = '{grain}' and segment_type = 'all'",
        ) == pytest.approx((leads, qualified, won, won, revenue))
        for segment in ("channel", "campaign", "industry", "region", "grade"):
            assert one(
                marts,
                f"select sum(leads), sum(deals_won) from marts.conversion_metrics "
                f"where period_grain = '{grain}' and segment_type = '{segment}'",
            ) == (leads, won)


def test_the_funnel_narrows_step_by_step_and_starts_with_every_lead(marts):
    assert one(
        marts,
        "select count(*) from marts.funnel_by_period f1 inner join marts.funnel_by_period f2 "
        "using (period_grain, period_start, segment_type, segment_value) "
        "where f2.step_number = f1.step_number + 1 and f2.leads_reached > f1.leads_reached",
    ) == (0,)
    assert one(
        marts,
        "select sum(leads_reached) from marts.funnel_by_period "
        "where period_grain = 'month' and segment_type = 'all' and step_number = 1",
    ) == one(marts, "select count(*) from intermediate.int_funnel_leads")


def test_attribution_credits_every_won_deal_exactly_in_every_model(marts):
    won = one(
        marts,
        "select count(*), sum(cast(won_amount as decimal(18, 2))) "
        "from intermediate.int_funnel_leads where won_at is not null",
    )
    for model in ("first_touch", "last_touch", "linear", "position_based"):
        assert (
            one(
                marts,
                "select count(distinct lead_id), sum(credit) from marts.revenue_attribution "
                f"where attribution_model = '{model}'",
            )
            == won
        )


def test_roi_spend_is_the_billed_spend_and_the_pipeline_weighs_by_stage(marts):
    assert one(
        marts, "select round(sum(spend), 2) from marts.marketing_roi where period_grain = 'week'"
    ) == one(marts, "select round(sum(spend), 2) from marts.fct_ad_spend_daily")
    assert one(
        marts,
        "select count(*) from marts.fct_open_pipeline where abs(weighted_amount - amount * stage_probability) > 1e-6",
    ) == (0,)
    weighted, forecast_90 = one(
        marts,
        "select (select sum(weighted_pipeline) from marts.pipeline_by_stage), "
        "(select forecast_revenue + slipped_weighted_amount from marts.pipeline_forecast "
        "where stage = 'all' and horizon_days = 90)",
    )
    assert forecast_90 <= weighted + 1e-6


def test_companies_roll_up_their_leads(marts):
    assert one(marts, "select sum(lead_count), sum(won_lead_count) from marts.dim_companies") == one(
        marts,
        "select count(*), count(f.won_at) from marts.lead_enrichment e "
        "inner join intermediate.int_funnel_leads f using (lead_id) where e.company_domain is not null",
    )
