"""The report's charts: for each, the marts it reads, the SQL that computes its figures, the figure
and the table of exact numbers beside it. Every chart reads the ``marts`` schema only; the meaning
of each column is in dbt_project/models/marts/**/_*.yml."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import duckdb

from report import formats, svg
from report.svg import Cell, Figure, Series

NORMAL_WIDTH = 620  # two charts side by side
WIDE_WIDTH = 1280  # a chart across the page

Value = int | float | str | None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    fmt: Callable[[float], str] = formats.count


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    values: Mapping[str, Value]


@dataclass(frozen=True)
class Table:
    """The chart's numbers: the row label first, then one cell per column."""

    row_label: str
    columns: Sequence[Column]
    rows: Sequence[Row]


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: float
    fmt: Callable[[float], str]


@dataclass(frozen=True)
class Drawn:
    figure: Figure
    table: Table
    subtitle: str = ""
    legend: Sequence[tuple[str, str]] = ()  # (label, CSS background of its swatch)
    kpis: Sequence[Kpi] = ()


@dataclass(frozen=True)
class Chart:
    id: str
    area: str  # funnel, sales, marketing, scoring, data quality
    title: str
    marts: tuple[str, ...]
    source: str  # the line under the chart: where its figures come from
    draw: Callable[[duckdb.DuckDBPyConnection], Drawn]
    wide: bool = False


class NothingToDraw(Exception):
    """A chart's marts hold no rows for what it shows (the grain or segment it reads is not
    configured in config/analytics.yml, or nothing happened yet): the page says so instead."""


def _require(rows: list, what: str) -> None:
    if not rows:
        raise NothingToDraw(what)


def month(day: date) -> str:
    return day.strftime("%Y-%m")


def funnel(conn: duckdb.DuckDBPyConnection) -> Drawn:
    rows = conn.execute(
        """
        select segment_value as channel, step_number, step, sum(leads_reached) as leads_reached
        from marts.funnel_by_period
        where period_grain = 'month' and segment_type = 'channel'
        group by all
        order by step_number, channel
        """
    ).fetchall()
    _require(
        rows,
        "marts.funnel_by_period has no month rows by channel (config/analytics.yml: period_grains, segments)",
    )
    steps = list(dict.fromkeys(step for _, _, step, _ in rows))
    channels = sorted({channel for channel, *_ in rows})
    reached = {(channel, step): n for channel, _, step, n in rows}
    colors = svg.palette(channels)
    series = [
        Series(channel, [reached.get((channel, step)) for step in steps], colors[channel])
        for channel in channels
    ]
    figure = svg.bar_chart(
        steps,
        series,
        value_axis="leads reached",
        category_axis="funnel step (in order)",
        fmt=formats.count,
        width=NORMAL_WIDTH,
    )
    first, last = steps[0], steps[-1]
    won_share = f"{last} / {first}"
    table = Table(
        "channel",
        [Column(step, step) for step in steps] + [Column(won_share, won_share, formats.rate)],
        [
            Row(
                channel,
                channel,
                {step: reached.get((channel, step)) for step in steps}
                | {won_share: _ratio(reached.get((channel, last)), reached.get((channel, first)))},
            )
            for channel in channels
        ],
    )
    total_first = sum(reached.get((c, first)) or 0 for c in channels)
    total_last = sum(reached.get((c, last)) or 0 for c in channels)
    return Drawn(
        figure,
        table,
        subtitle=f"Leads of every month, by first channel, that reached each step in order "
        f"({total_last:,} of {total_first:,} reached {last}).",
        legend=[(c, colors[c]) for c in channels],
        kpis=[Kpi("leads", "Leads", total_first, formats.count)],
    )


def conversion_rate(conn: duckdb.DuckDBPyConnection) -> Drawn:
    rows = conn.execute(
        """
        select period_start, segment_value as channel, leads, converted_leads, conversion_rate
        from marts.conversion_metrics
        where period_grain = 'month' and segment_type = 'channel'
        order by period_start, channel
        """
    ).fetchall()
    _require(
        rows,
        "marts.conversion_metrics has no month rows by channel (config/analytics.yml: period_grains, segments)",
    )
    months = sorted({r[0] for r in rows})
    channels = sorted({r[1] for r in rows})
    by_key = {(r[0], r[1]): r for r in rows}
    colors = svg.palette(channels)
    series = []
    for channel in channels:
        found = [by_key.get((m, channel)) for m in months]
        series.append(
            Series(
                channel,
                [r[4] if r else None for r in found],
                colors[channel],
                tips=[
                    f"{month(m)} · {channel}: {formats.rate(r[4])} ({r[3]:,} of {r[2]:,} leads)"
                    if r and r[4] is not None
                    else ""
                    for m, r in zip(months, found, strict=True)
                ],
            )
        )
    figure = svg.line_chart(
        [month(m) for m in months],
        series,
        value_axis="conversion rate",
        category_axis="month the leads were created",
        fmt=formats.rate,
        tick_fmt=formats.whole_rate,
        width=WIDE_WIDTH,
    )
    table = Table(
        "month",
        [Column(c, c, formats.rate) for c in channels],
        [
            Row(
                m.isoformat(),
                month(m),
                {c: by_key[(m, c)][4] if (m, c) in by_key else None for c in channels},
            )
            for m in months
        ],
    )
    return Drawn(
        figure,
        table,
        subtitle="Share of the leads created in the month (by first channel) that were won by as_of: "
        "the latest months are still converting.",
        legend=[(c, colors[c]) for c in channels],
    )


def cohorts(conn: duckdb.DuckDBPyConnection) -> Drawn:
    rows = conn.execute(
        """
        select cohort_month, weeks_since_creation, cohort_leads, converted_leads,
               cumulative_conversion_rate, is_complete
        from marts.funnel_cohorts
        order by cohort_month, weeks_since_creation
        """
    ).fetchall()
    months = sorted({r[0] for r in rows})
    weeks = sorted({r[1] for r in rows})
    row_of, column_of = {m: i for i, m in enumerate(months)}, {w: j for j, w in enumerate(weeks)}
    cells = {
        (row_of[m], column_of[w]): Cell(
            rate,
            f"{month(m)} cohort, week {w}: {formats.rate(rate)} ({converted:,} of {leads:,} leads won)"
            + ("" if complete else "; not complete yet"),
            faded=not complete,
        )
        for m, w, leads, converted, rate, complete in rows
        if rate is not None
    }
    figure = svg.heatmap(
        [month(m) for m in months],
        [str(w) for w in weeks],
        cells,
        row_axis="month created",
        column_axis="weeks since creation",
        fmt=formats.whole_rate,
        width=WIDE_WIDTH,
    )
    leads = {r[0]: r[2] for r in rows}
    rates = {(r[0], r[1]): r[4] for r in rows}
    table = Table(
        "cohort",
        [Column("cohort_leads", "leads")] + [Column(f"week {w}", f"w{w}", formats.rate) for w in weeks],
        [
            Row(
                m.isoformat(),
                month(m),
                {"cohort_leads": leads[m]} | {f"week {w}": rates.get((m, w)) for w in weeks},
            )
            for m in months
        ],
    )
    highest = max((c.value for c in cells.values()), default=0)
    return Drawn(
        figure,
        table,
        subtitle="Share of each month's leads won within that many weeks of their creation "
        "(cumulative). Faded: the cohort is not that old yet, so the share can still grow.",
        legend=[(f"0 → {formats.rate(highest)}", svg.css_ramp())],
    )


def time_to_conversion(conn: duckdb.DuckDBPyConnection) -> Drawn:
    bins = dict(
        conn.execute(
            """
            select floor(days_to_conversion / 7)::integer as week, count(*) as leads
            from marts.fct_lead_journeys
            where is_converted and days_to_conversion is not null
            group by week
            order by week
            """
        ).fetchall()
    )
    converted, median, p90 = conn.execute(
        """
        select count(*), quantile_cont(days_to_conversion, 0.5), quantile_cont(days_to_conversion, 0.9)
        from marts.fct_lead_journeys
        where is_converted and days_to_conversion is not null
        """
    ).fetchone()
    weeks = list(range(min(bins, default=0), max(bins, default=0) + 1))
    labels = [f"{w * 7}–{w * 7 + 7}" for w in weeks]
    figure = svg.bar_chart(
        [str(w * 7) for w in weeks],
        [
            Series(
                "converted leads",
                [bins.get(w) for w in weeks],
                svg.PRIMARY,
                tips=[
                    f"{label} days: {bins.get(w, 0):,} leads" for w, label in zip(weeks, labels, strict=True)
                ],
            )
        ],
        value_axis="converted leads",
        category_axis="days from creation to the win (7-day bins, from)",
        fmt=formats.count,
        width=NORMAL_WIDTH,
    )
    table = Table(
        "days",
        [Column("leads", "converted leads")],
        [Row(str(w * 7), labels[i], {"leads": bins[w]}) for i, w in enumerate(weeks) if w in bins],
    )
    subtitle = f"{converted:,} converted leads"
    if converted:
        subtitle += f"; median {formats.decimal(median)} days, 90th percentile {formats.decimal(p90)} days."
    return Drawn(
        figure, table, subtitle=subtitle, kpis=[Kpi("converted", "Leads won", converted, formats.count)]
    )


def time_in_stage(conn: duckdb.DuckDBPyConnection) -> Drawn:
    stages = _records(
        conn,
        """
        select stage, stage_rank, visit_count, completed_visit_count, median_hours, p90_hours
        from marts.funnel_time_in_stage
        order by stage_rank nulls last, stage
        """,
    )
    drawn = [s for s in stages if s["stage_rank"] is not None and s["median_hours"] is not None]
    outside = [s["stage"] for s in stages if s["stage_rank"] is None]

    def days(which: str, column: str) -> Series:
        return Series(
            which,
            [s[column] / 24 for s in drawn],
            svg.PRIMARY if column == "median_hours" else svg.LIGHT_PRIMARY,
            tips=[
                f"{s['stage']}: {which} {formats.decimal(s[column])} h ({formats.days(s[column] / 24)}) "
                f"over {s['completed_visit_count']:,} completed visits"
                for s in drawn
            ],
        )

    figure = svg.bar_chart(
        [s["stage"] for s in drawn],
        [days("median", "median_hours"), days("90th percentile", "p90_hours")],
        value_axis="days in the stage (completed visits)",
        fmt=formats.days,
        horizontal=True,
        value_labels=formats.days,
        width=NORMAL_WIDTH,
    )
    columns = [
        Column("visit_count", "visits"),
        Column("completed_visit_count", "completed"),
        Column("median_hours", "median hours", formats.decimal),
        Column("p90_hours", "p90 hours", formats.decimal),
    ]
    subtitle = "The workflow's stages in order, in days."
    if outside:
        subtitle += f" Stages outside the workflow ({', '.join(outside)}) are in the numbers."
    return Drawn(
        figure,
        _listing("stage", stages, columns, key="stage"),
        subtitle=subtitle,
        legend=[("median", svg.PRIMARY), ("90th percentile", svg.LIGHT_PRIMARY)],
    )


def agent_leaderboard(conn: duckdb.DuckDBPyConnection) -> Drawn:
    agents = _records(
        conn,
        """
        select agent_id,
               coalesce(any_value(agent_name), agent_id) as agent,
               sum(leads_assigned) as leads_assigned,
               sum(converted_leads) as converted_leads,
               sum(converted_leads) / nullif(sum(leads_assigned), 0) as conversion_rate,
               sum(deals_won) as deals_won,
               sum(revenue_won) as revenue_won
        from marts.agent_performance
        where period_grain = 'month'
        group by agent_id
        order by revenue_won desc, agent_id
        limit 10
        """,
    )
    _require(agents, "marts.agent_performance has no month rows (config/analytics.yml: period_grains)")
    figure = svg.bar_chart(
        [a["agent"] for a in agents],
        [
            Series(
                "revenue won",
                [a["revenue_won"] for a in agents],
                svg.PRIMARY,
                tips=[
                    f"{a['agent']}: {formats.amount(a['revenue_won'])} from {a['deals_won']:,} deals won; "
                    f"{formats.rate(a['conversion_rate'] or 0)} of {a['leads_assigned']:,} assigned leads converted"
                    for a in agents
                ],
            )
        ],
        value_axis="revenue won",
        fmt=formats.amount,
        horizontal=True,
        value_labels=formats.compact,
        width=NORMAL_WIDTH,
    )
    columns = [
        Column("leads_assigned", "assigned"),
        Column("converted_leads", "converted"),
        Column("conversion_rate", "conversion", formats.rate),
        Column("deals_won", "deals won"),
        Column("revenue_won", "revenue won", formats.amount),
    ]
    return Drawn(
        figure,
        _listing("agent", agents, columns, key="agent_id", label="agent"),
        subtitle="Top 10 agents by revenue won, over every month.",
    )


def pipeline_by_stage(conn: duckdb.DuckDBPyConnection) -> Drawn:
    stages = _records(
        conn,
        """
        select stage, stage_probability, open_leads, pipeline_amount, weighted_pipeline, median_days_in_stage
        from marts.pipeline_by_stage
        order by stage_probability, stage
        """,
    )
    figure = svg.bar_chart(
        [s["stage"] for s in stages],
        [
            Series("pipeline", [s["pipeline_amount"] for s in stages], svg.LIGHT_PRIMARY),
            Series(
                "weighted",
                [s["weighted_pipeline"] for s in stages],
                svg.PRIMARY,
                tips=[
                    f"{s['stage']}: weighted {formats.amount(s['weighted_pipeline'])} = "
                    f"{formats.amount(s['pipeline_amount'])} x {formats.whole_rate(s['stage_probability'])} "
                    f"({s['open_leads']:,} open leads)"
                    for s in stages
                ],
            ),
        ],
        value_axis="open pipeline amount",
        fmt=formats.amount,
        horizontal=True,
        value_labels=formats.compact,
        width=NORMAL_WIDTH,
    )
    columns = [
        Column("stage_probability", "probability", formats.whole_rate),
        Column("open_leads", "open leads"),
        Column("pipeline_amount", "pipeline", formats.amount),
        Column("weighted_pipeline", "weighted", formats.amount),
        Column("median_days_in_stage", "median days in stage", formats.decimal),
    ]
    weighted = sum(s["weighted_pipeline"] or 0 for s in stages)
    return Drawn(
        figure,
        _listing("stage", stages, columns, key="stage"),
        subtitle=f"Open leads by stage as of as_of, in order of probability; weighted by the stage's "
        f"probability to close won ({formats.amount(weighted)} in all).",
        legend=[("pipeline amount", svg.LIGHT_PRIMARY), ("weighted by stage probability", svg.PRIMARY)],
        kpis=[Kpi("weighted_pipeline", "Weighted open pipeline", weighted, formats.amount)],
    )


def pipeline_forecast(conn: duckdb.DuckDBPyConnection) -> Drawn:
    horizons = _records(
        conn,
        """
        select horizon_days, horizon_days || ' days' as horizon, deals, pipeline_amount, forecast_revenue,
               slipped_deals, slipped_weighted_amount
        from marts.pipeline_forecast
        where stage = 'all'
        order by horizon_days
        """,
    )
    figure = svg.bar_chart(
        [f"next {h['horizon']}" for h in horizons],
        [
            Series("pipeline", [h["pipeline_amount"] for h in horizons], svg.LIGHT_PRIMARY),
            Series(
                "forecast revenue",
                [h["forecast_revenue"] for h in horizons],
                svg.ACCENT,
                tips=[
                    f"next {h['horizon']}: forecast {formats.amount(h['forecast_revenue'])} from {h['deals']:,} deals"
                    for h in horizons
                ],
            ),
        ],
        value_axis="amount",
        category_axis="expected to close within",
        fmt=formats.amount,
        value_labels=formats.compact,
        width=NORMAL_WIDTH,
    )
    columns = [
        Column("deals", "deals"),
        Column("pipeline_amount", "pipeline", formats.amount),
        Column("forecast_revenue", "forecast revenue", formats.amount),
        Column("slipped_deals", "slipped deals"),
        Column("slipped_weighted_amount", "slipped, weighted", formats.amount),
    ]
    subtitle = "Open deals expected to close between as_of and the horizon (cumulative), and their revenue "
    subtitle += "weighted by stage probability."
    first = horizons[0] if horizons else None
    if first and first["slipped_deals"]:
        subtitle += (
            f" Past their expected close and not forecast: {first['slipped_deals']:,} deals "
            f"({formats.amount(first['slipped_weighted_amount'])} weighted)."
        )
    return Drawn(
        figure,
        _listing("horizon", horizons, columns, key="horizon_days", label="horizon"),
        subtitle=subtitle,
        legend=[("pipeline amount", svg.LIGHT_PRIMARY), ("forecast revenue", svg.ACCENT)],
        kpis=[
            Kpi("forecast", f"Forecast, next {first['horizon']}", first["forecast_revenue"], formats.amount)
        ]
        if first
        else [],
    )


def campaign_roi(conn: duckdb.DuckDBPyConnection) -> Drawn:
    campaigns = _records(
        conn,
        """
        select campaign, spend_channel, spend, revenue_won, return_on_ad_spend, roi
        from marts.campaign_performance
        where spend > 0
        order by return_on_ad_spend desc, campaign
        """,
    )
    figure = svg.bar_chart(
        [c["campaign"] for c in campaigns],
        [
            Series(
                "return on ad spend",
                [c["return_on_ad_spend"] for c in campaigns],
                svg.PRIMARY,
                tips=[
                    f"{c['campaign']} ({c['spend_channel']}): revenue {formats.amount(c['revenue_won'])} / spend "
                    f"{formats.amount(c['spend'])} = {formats.times(c['return_on_ad_spend'])} "
                    f"(ROI {formats.rate(c['roi'])})"
                    for c in campaigns
                ],
                colors=[svg.PRIMARY if c["return_on_ad_spend"] >= 1 else svg.WARNING for c in campaigns],
            )
        ],
        value_axis="return on ad spend (revenue won / spend)",
        fmt=formats.times,
        tick_fmt=formats.compact_times,
        horizontal=True,
        value_labels=formats.times,
        reference=(1.0, "break-even"),
        width=NORMAL_WIDTH,
    )
    columns = [
        Column("spend_channel", "channel", str),
        Column("spend", "spend", formats.amount),
        Column("revenue_won", "revenue won", formats.amount),
        Column("return_on_ad_spend", "ROAS", formats.times),
        Column("roi", "ROI", formats.rate),
    ]
    return Drawn(
        figure,
        _listing("campaign", campaigns, columns, key="campaign"),
        subtitle="Campaigns with ad spend, by revenue won from their leads per unit of spend.",
        legend=[("returns its spend", svg.PRIMARY), ("below break-even", svg.WARNING)],
    )


def grade_mix(conn: duckdb.DuckDBPyConnection) -> Drawn:
    rows = conn.execute(
        """
        select period_start, bucket as grade, leads, share_of_leads, average_score,
               avg(average_score) over (partition by bucket) as grade_score
        from marts.score_grade_mix
        where dimension = 'grade' and period_grain = 'day'
        order by period_start, grade
        """
    ).fetchall()
    _require(rows, "marts.score_grade_mix has no day rows (config/analytics.yml: period_grains)")
    days = sorted({r[0] for r in rows})
    # Best grade first: the grades' names are configuration (config/scoring.yml), their scores say the order.
    grades = [g for g, _ in sorted({(r[1], r[5] or 0) for r in rows}, key=lambda g: (-g[1], g[0]))]
    by_key = {(r[0], r[1]): r for r in rows}
    colors = dict(zip(grades, svg.ordinal_palette(len(grades)), strict=True)) if grades else {}
    series = [
        Series(
            grade,
            [by_key[(d, grade)][3] if (d, grade) in by_key else None for d in days],
            colors[grade],
            tips=[
                f"{d.isoformat()} · grade {grade}: {by_key[(d, grade)][2]:,} leads "
                f"({formats.rate(by_key[(d, grade)][3])}), average score {formats.decimal(by_key[(d, grade)][4])}"
                if (d, grade) in by_key
                else ""
                for d in days
            ],
        )
        for grade in grades
    ]
    figure = svg.bar_chart(
        [d.isoformat() for d in days],
        series,
        value_axis="share of scored leads",
        category_axis="day (figures at its end)",
        fmt=formats.rate,
        tick_fmt=formats.whole_rate,
        layout="stacked",
        width=NORMAL_WIDTH,
    )
    columns = []
    for grade in grades:
        columns += [Column(f"{grade} leads", grade), Column(f"{grade} share", f"{grade} %", formats.rate)]
    table = Table(
        "day",
        columns,
        [
            Row(
                d.isoformat(),
                d.isoformat(),
                {
                    f"{g} {what}": by_key[(d, g)][index] if (d, g) in by_key else None
                    for g in grades
                    for what, index in (("leads", 2), ("share", 3))
                },
            )
            for d in days
        ],
    )
    return Drawn(
        figure,
        table,
        subtitle="Scored leads in each grade at the end of every day with a score change "
        "(a point per scoring run).",
        legend=[(f"grade {g}", colors[g]) for g in grades],
    )


def quarantine(conn: duckdb.DuckDBPyConnection) -> Drawn:
    sources = _records(
        conn,
        """
        select source, sum(rows_read) as rows_read, sum(rows_loaded) as rows_loaded,
               sum(rows_quarantined) as rows_quarantined,
               sum(rows_quarantined) / nullif(sum(rows_read), 0) as quarantined_share
        from marts.fct_ingestion_quality
        group by source
        order by source
        """,
    )
    figure = svg.bar_chart(
        [s["source"] for s in sources],
        [
            Series(
                "quarantined rows",
                [s["rows_quarantined"] for s in sources],
                svg.WARNING,
                tips=[
                    f"{s['source']}: {s['rows_quarantined']:,} of {s['rows_read']:,} rows read quarantined "
                    f"({formats.rate(s['quarantined_share'] or 0)})"
                    for s in sources
                ],
            )
        ],
        value_axis="rows quarantined",
        fmt=formats.count,
        horizontal=True,
        value_labels=formats.count,
        width=NORMAL_WIDTH,
    )
    columns = [
        Column("rows_read", "rows read"),
        Column("rows_loaded", "loaded"),
        Column("rows_quarantined", "quarantined"),
        Column("quarantined_share", "quarantined %", formats.rate),
    ]
    read = sum(s["rows_read"] or 0 for s in sources)
    quarantined = sum(s["rows_quarantined"] or 0 for s in sources)
    return Drawn(
        figure,
        _listing("source", sources, columns, key="source"),
        subtitle=f"Rows refused at ingestion, over every file version each source delivered: "
        f"{quarantined:,} of {read:,} rows read.",
        kpis=[Kpi("quarantined", "Rows quarantined", quarantined, formats.count)],
    )


def field_issues(conn: duckdb.DuckDBPyConnection) -> Drawn:
    rows = conn.execute(
        """
        select source, action, sum(issue_count) as issues
        from marts.fct_field_issues
        group by source, action
        order by source, action
        """
    ).fetchall()
    sources = sorted({r[0] for r in rows})
    actions = sorted({r[1] for r in rows})
    issues = {(source, action): n for source, action, n in rows}
    colors = svg.palette(actions)
    figure = svg.bar_chart(
        sources,
        [Series(action, [issues.get((s, action)) for s in sources], colors[action]) for action in actions],
        value_axis="values with an issue",
        fmt=formats.count,
        horizontal=True,
        layout="stacked",
        width=NORMAL_WIDTH,
    )
    table = Table(
        "source",
        [Column(action, action) for action in actions] + [Column("total", "total")],
        [
            Row(
                source,
                source,
                {action: issues.get((source, action)) for action in actions}
                | {"total": sum(issues.get((source, a)) or 0 for a in actions)},
            )
            for source in sources
        ],
    )
    return Drawn(
        figure,
        table,
        subtitle=f"Values of loaded rows the ingestion could not take as written, by what it did with them: "
        f"{sum(issues.values()):,} in all; sources without one are not listed.",
        legend=[(action, colors[action]) for action in actions],
    )


def _records(conn: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Value]]:
    """The query's rows, each a dict by column name."""
    cursor = conn.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _listing(
    row_label: str,
    records: Sequence[Mapping[str, Value]],
    columns: Sequence[Column],
    *,
    key: str,
    label: str = "",
) -> Table:
    """A table of a row per record: keyed by its ``key`` column, labelled by its ``label`` column
    (the key by default), with the columns' values by name."""
    return Table(
        row_label,
        columns,
        [Row(str(r[key]), str(r[label or key]), {c.key: r[c.key] for c in columns}) for r in records],
    )


def _ratio(part: float | None, whole: float | None) -> float | None:
    return part / whole if part is not None and whole else None


CHARTS: tuple[Chart, ...] = (
    Chart(
        "funnel",
        "Funnel",
        "Funnel by source",
        ("funnel_by_period",),
        "marts.funnel_by_period: period_grain 'month', segment_type 'channel'; leads_reached summed over "
        "the months.",
        funnel,
    ),
    Chart(
        "time_to_conversion",
        "Funnel",
        "Time to conversion",
        ("fct_lead_journeys",),
        "marts.fct_lead_journeys: days_to_conversion of the converted leads (is_converted), in 7-day bins.",
        time_to_conversion,
    ),
    Chart(
        "conversion_rate",
        "Funnel",
        "Conversion rate over time by channel",
        ("conversion_metrics",),
        "marts.conversion_metrics: period_grain 'month', segment_type 'channel'; conversion_rate per "
        "period_start.",
        conversion_rate,
        wide=True,
    ),
    Chart(
        "cohorts",
        "Funnel",
        "Conversion by cohort",
        ("funnel_cohorts",),
        "marts.funnel_cohorts: cumulative_conversion_rate per cohort_month and weeks_since_creation; "
        "is_complete false is faded.",
        cohorts,
        wide=True,
    ),
    Chart(
        "time_in_stage",
        "Funnel",
        "Time in stage",
        ("funnel_time_in_stage",),
        "marts.funnel_time_in_stage: median_hours and p90_hours per stage, shown in days (hours / 24).",
        time_in_stage,
    ),
    Chart(
        "agent_leaderboard",
        "Sales",
        "Agent leaderboard",
        ("agent_performance",),
        "marts.agent_performance: period_grain 'month', summed per agent; conversion = converted_leads / "
        "leads_assigned.",
        agent_leaderboard,
    ),
    Chart(
        "pipeline_by_stage",
        "Sales",
        "Pipeline by stage",
        ("pipeline_by_stage",),
        "marts.pipeline_by_stage: pipeline_amount and weighted_pipeline per stage.",
        pipeline_by_stage,
    ),
    Chart(
        "pipeline_forecast",
        "Sales",
        "Revenue forecast",
        ("pipeline_forecast",),
        "marts.pipeline_forecast: stage 'all' per horizon_days.",
        pipeline_forecast,
    ),
    Chart(
        "campaign_roi",
        "Marketing",
        "Return on ad spend by campaign",
        ("campaign_performance",),
        "marts.campaign_performance: campaigns with spend > 0; return_on_ad_spend, spend, revenue_won, roi.",
        campaign_roi,
    ),
    Chart(
        "grade_mix",
        "Scoring",
        "Grade mix over time",
        ("score_grade_mix",),
        "marts.score_grade_mix: dimension 'grade', period_grain 'day'; share_of_leads per bucket.",
        grade_mix,
    ),
    Chart(
        "quarantine",
        "Data quality",
        "Quarantined rows by source",
        ("fct_ingestion_quality",),
        "marts.fct_ingestion_quality: rows_read, rows_loaded, rows_quarantined summed per source.",
        quarantine,
    ),
    Chart(
        "field_issues",
        "Data quality",
        "Field issues by source",
        ("fct_field_issues",),
        "marts.fct_field_issues: issue_count summed per source and action.",
        field_issues,
    ),
)
