"""The morning summary per agent, as files an agent opens on a phone and a manager skims.

``write_daily_summaries`` reads marts.agent_daily_summary (dbt builds it for the run's ``as_of``;
the 08:00 job calls this) and writes, under ``<out_dir>/<summary_date>/``, one Markdown and one
HTML file per agent (``<agent>.md``, ``<agent>.html``) and an index of the day (``index.md``,
``index.html``: every agent, the counts, links).

Each count of the mart comes with the list behind it, read with the mart's own definitions so the
two cannot disagree: overdue tasks (marts.follow_up_tasks, ``due_status = 'overdue'``, most overdue
first), tasks due today (due from ``as_of`` to the next midnight UTC, by due time), new leads
(intermediate.int_sales_leads_joined, most recently assigned first) and stale leads
(marts.stale_leads, longest without a touch first), each cut at ``top_n`` with "and N more". A list
whose length differs from the mart's count stops the run: a summary that contradicts itself is worse
than a late one. The leads' names, companies and phones come from marts.dim_leads; a lead who asked
not to be called shows no number.

Nothing depends on the wall clock or on the order rows come back in, so a rerun for the same
``as_of`` writes the same bytes to the same paths. Agent ids reach the file system only as a slug
(letters, digits, ``-`` and ``_``), so an id cannot name a path outside the day's folder; every value
is escaped for the format it lands in, and each file is written under a temporary name and renamed
into place, so a reader never opens half of one.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

import duckdb

from leadhouse.files import write_text_atomically
from leadhouse.warehouse import WAREHOUSE_CATALOGS

SUMMARY = "marts.agent_daily_summary"
TASKS = "marts.follow_up_tasks"
STALE_LEADS = "marts.stale_leads"
LEADS = "marts.dim_leads"
# New leads: the mart counts them from this intermediate table, which no mart exposes per lead, so
# the summary needs the pipeline's warehouse, not the published copy (marts only).
SALES_LEADS = "intermediate.int_sales_leads_joined"
# What builds each relation the summary reads, for the error when one is missing.
_BUILT_BY = {
    SUMMARY: "dbt_project/models/marts/sales/agent_daily_summary.sql",
    TASKS: "dbt_project/models/marts/sales/follow_up_tasks.sql",
    STALE_LEADS: "dbt_project/models/marts/sales/stale_leads.sql",
    LEADS: "dbt_project/models/marts/leads/dim_leads.sql",
    SALES_LEADS: "dbt_project/models/intermediate/sales/int_sales_leads_joined.sql",
}

INDEX = "index"
# Stems an agent's files may not have: the index's, and the device names Windows reserves whatever
# the extension (the folder may be synced to a Windows share).
_RESERVED_STEMS = frozenset(
    {INDEX, "con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)}
)
_MISSING = "–"
_FILE_STEM_MAX = 64
_UNSAFE_IN_FILE_STEM = re.compile(r"[^A-Za-z0-9_-]+")
# A phone number we may turn into a tel: link (E.164 in dim_leads; anything else stays text).
_DIALABLE = re.compile(r"\+?[0-9][0-9 ().-]*")
# Characters that would change how Markdown shows a value: start emphasis, code, a link or raw
# HTML, or end a table cell. An underscore inside a word (web_form) is plain text in CommonMark.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


@dataclass(frozen=True)
class DailySummaryReport:
    """What one run wrote."""

    out_dir: Path
    summary_date: date | None  # None: the mart had no agents, and only out_dir/index.* was written
    agents: tuple[str, ...]  # the agent ids given a summary file, by agent id
    files: tuple[Path, ...]  # every file written: the agents' (by agent id), then the index


class DailySummaryError(RuntimeError):
    """The warehouse cannot give a consistent summary: a relation is missing, or the marts were
    built for different as_of; the message names the relation and what builds it."""


@dataclass(frozen=True)
class _Agent:
    """A row of marts.agent_daily_summary, with the name of its top task's lead."""

    agent_id: str
    agent_name: str | None
    is_active: bool | None
    overdue_count: int
    due_today_count: int
    new_lead_count: int
    routed_lead_count: int
    stale_lead_count: int
    open_task_count: int
    open_lead_count: int | None
    capacity: int | None
    top_task_name: str | None
    top_task_expected_value: float | None
    top_task_lead_name: str | None
    summary_date: date
    summary_as_of: datetime

    @property
    def name(self) -> str:
        return self.agent_name or self.agent_id

    @property
    def has_news(self) -> bool:
        """Something to tell the agent: an inactive agent without it gets no file."""
        return any(
            (
                self.overdue_count,
                self.due_today_count,
                self.new_lead_count,
                self.stale_lead_count,
                self.routed_lead_count,
            )
        )


@dataclass(frozen=True)
class _Link:
    """A cell linking to another file of the day: ``<stem>.md`` or ``<stem>.html``."""

    text: str
    stem: str


@dataclass(frozen=True)
class _Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str | _Link, ...], ...]


@dataclass(frozen=True)
class _Section:
    heading: str
    table: _Table | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Page:
    """A document before it is written as Markdown or HTML; every string in it is plain text, which
    each renderer escapes for its format."""

    title: str
    paragraphs: tuple[str, ...]
    counts: tuple[tuple[str, int], ...]
    sections: tuple[_Section, ...]
    links_to_index: bool


@dataclass(frozen=True)
class _List:
    """The first rows behind one of the mart's counts, and how many there are in all."""

    total: int
    rows: tuple[tuple[str, ...], ...]


# The lead's name (else its id), company, and phone unless they asked not to be called; the query
# aliases the lead table ``leads`` and the table of the list ``listed``.
_LEAD_COLUMNS = """
    coalesce(nullif(trim(concat_ws(' ', leads.first_name, leads.last_name)), ''), listed.lead_id) as lead_name,
    leads.company,
    case when leads.do_not_call then 'do not call' else leads.phone end as phone
"""


def _tasks_sql(condition: str) -> str:
    """The agents' open tasks meeting ``condition`` (the mart's, on marts.follow_up_tasks aliased
    ``listed``), by due time: the first $top_n per agent, each with the number there are."""
    return f"""
select
    listed.agent_id,
    count(*) over (partition by listed.agent_id),
    coalesce(listed.task_name, listed.task),
    {_LEAD_COLUMNS},
    listed.due_at,
    listed.current_status,
    listed.priority
from {TASKS} as listed
left join {LEADS} as leads
    on listed.lead_id = leads.lead_id
where listed.agent_id is not null
    and ({condition})
qualify row_number() over (partition by listed.agent_id order by listed.due_at, listed.task_id) <= $top_n
order by listed.agent_id, listed.due_at, listed.task_id
"""


_OVERDUE_SQL = _tasks_sql("listed.due_status = 'overdue'")
# The mart's due today: due from as_of up to (not including) the next midnight after it, UTC.
_DUE_TODAY_SQL = _tasks_sql("listed.due_at >= $as_of and listed.due_at < $next_midnight")

# The mart counts an owner's leads assigned within daily_summary.new_lead_hours before as_of, a dbt
# var it does not store. Those are exactly the owner's new_lead_count most recently assigned leads
# (every lead outside the window was assigned earlier than every lead in it), so taking that many
# gives the same leads without a second copy of the setting.
_NEW_LEADS_SQL = f"""
with owned as (
    select
        summary.agent_id,
        least(summary.new_lead_count, count(*) over (partition by summary.agent_id)) as total,
        row_number() over (
            partition by summary.agent_id order by listed.assigned_at desc, listed.lead_id
        ) as recency,
        {_LEAD_COLUMNS},
        listed.assigned_at,
        listed.first_channel,
        listed.current_status,
        listed.score
    from {SUMMARY} as summary
    inner join {SALES_LEADS} as listed
        on summary.agent_id = listed.owner_agent_id
    left join {LEADS} as leads
        on listed.lead_id = leads.lead_id
    where listed.assigned_at is not null
)
select * exclude (recency)
from owned
where recency <= least(total, $top_n)
order by agent_id, recency
"""

_STALE_LEADS_SQL = f"""
select
    listed.agent_id,
    count(*) over (partition by listed.agent_id),
    {_LEAD_COLUMNS},
    listed.last_touch_at,
    listed.days_without_activity,
    listed.current_status,
    listed.priority
from {STALE_LEADS} as listed
left join {LEADS} as leads
    on listed.lead_id = leads.lead_id
where listed.agent_id is not null
qualify row_number() over (partition by listed.agent_id order by listed.last_touch_at, listed.lead_id) <= $top_n
order by listed.agent_id, listed.last_touch_at, listed.lead_id
"""

_LEAD_HEADINGS = ("lead", "company", "phone")


def write_daily_summaries(
    conn: duckdb.DuckDBPyConnection, out_dir: Path, *, top_n: int = 10
) -> DailySummaryReport:
    """Write the day's summary files for every agent of marts.agent_daily_summary with something to
    say, and for every active agent (theirs says "nothing due"), plus the day's index.

    The day is the mart's ``summary_date`` (the run's ``as_of``), so a rerun for the same ``as_of``
    overwrites the same files with the same bytes; files of the day's folder the run did not write
    (an agent since gone quiet) are removed, so the folder is what the index lists. With no agent in
    the mart, only ``out_dir/index.md`` and ``index.html`` are written, saying so."""
    if top_n < 1:
        raise ValueError(f"top_n must be at least 1, not {top_n}")
    _require_relations(conn)
    out_dir = Path(out_dir)
    agents = _read_agents(conn)
    if not agents:
        page = _Page(
            "Daily summary",
            (f"{SUMMARY} has no agents (marts.dim_agents is empty): nothing to summarize.",),
            (),
            (),
            links_to_index=False,
        )
        return DailySummaryReport(out_dir, None, (), tuple(_write_page(out_dir, INDEX, page)))

    summary_date, as_of = _the_day(agents)
    _require_same_as_of(conn, as_of)
    lists = _read_lists(conn, summary_date, as_of, top_n)
    _require_lists_agree(agents, lists)

    day_dir = out_dir / summary_date.isoformat()
    written = [agent for agent in agents if agent.has_news or agent.is_active]
    stems = _file_stems(agent.agent_id for agent in written)
    files: list[Path] = []
    for agent in written:
        page = _agent_page(agent, {key: found.get(agent.agent_id) for key, found in lists.items()})
        files += _write_page(day_dir, stems[agent.agent_id], page)
    files += _write_page(day_dir, INDEX, _index_page(agents, stems))
    _remove_other_files(day_dir, files)
    return DailySummaryReport(out_dir, summary_date, tuple(agent.agent_id for agent in written), tuple(files))


def _file_stems(agent_ids: Iterable[str]) -> dict[str, str]:
    """A file name stem per agent id, safe on any file system and distinct from every other one.

    Runs of characters other than letters, digits, ``-`` and ``_`` become ``-`` (so no ``/``, no
    ``..``, no hidden file), and an id that had to change, or that would be the index's name or a
    device name Windows reserves, gets a digest of itself appended: ids that differ never share a
    stem, and an agent's stem does not depend on which other agents there are. Stems that differ
    only in case (``Ab``, ``ab``: one file on macOS or Windows) all get the digest too."""
    stems: dict[str, str] = {}
    for agent_id in agent_ids:
        stem = _UNSAFE_IN_FILE_STEM.sub("-", agent_id).strip("-_")[:_FILE_STEM_MAX]
        if stem != agent_id or stem.casefold() in _RESERVED_STEMS:
            stem = f"{stem or 'agent'}-{_digest(agent_id)}"
        stems[agent_id] = stem
    by_folded_stem: dict[str, list[str]] = defaultdict(list)
    for agent_id, stem in stems.items():
        by_folded_stem[stem.casefold()].append(agent_id)
    for sharing in by_folded_stem.values():
        if len(sharing) > 1:
            for agent_id in sharing:
                stems[agent_id] = f"{stems[agent_id]}-{_digest(agent_id)}"
    return stems


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _require_relations(conn: duckdb.DuckDBPyConnection) -> None:
    """Fail before writing anything when a relation the summary reads is missing, naming it and
    the dbt model that builds it."""
    present = {
        f"{schema}.{name}"
        for schema, name in conn.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_catalog in {WAREHOUSE_CATALOGS}"
        ).fetchall()
    }
    missing = [relation for relation in _BUILT_BY if relation not in present]
    if missing:
        lines = "\n".join(f"  {relation}: built by dbt ({_BUILT_BY[relation]})" for relation in missing)
        raise DailySummaryError(
            f"the daily summary reads relations this warehouse lacks:\n{lines}\n"
            "Build the sales marts with dbt first (make materialize, or `dbt build --select "
            "+agent_daily_summary` in dbt_project/), and connect to the pipeline's warehouse: the "
            f"published copy holds the marts only, not {SALES_LEADS}."
        )


def _read_agents(conn: duckdb.DuckDBPyConnection) -> list[_Agent]:
    rows = conn.execute(
        f"""
        select
            summary.agent_id,
            summary.agent_name,
            summary.is_active,
            summary.overdue_count,
            summary.due_today_count,
            summary.new_lead_count,
            summary.routed_lead_count,
            summary.stale_lead_count,
            summary.open_task_count,
            summary.open_lead_count,
            summary.capacity,
            summary.top_task_name,
            summary.top_task_expected_value,
            case when summary.top_task_lead_id is not null then
                coalesce(nullif(trim(concat_ws(' ', leads.first_name, leads.last_name)), ''),
                         summary.top_task_lead_id)
            end,
            summary.summary_date,
            summary.summary_as_of
        from {SUMMARY} as summary
        left join {LEADS} as leads
            on summary.top_task_lead_id = leads.lead_id
        order by summary.agent_id
        """
    ).fetchall()
    return [_Agent(*row) for row in rows]


def _the_day(agents: Sequence[_Agent]) -> tuple[date, datetime]:
    days = {(agent.summary_date, agent.summary_as_of) for agent in agents}
    if len(days) != 1:
        found = ", ".join(f"{as_of} ({day})" for day, as_of in sorted(days))
        raise DailySummaryError(f"{SUMMARY} mixes several as_of ({found}): rebuild it with dbt")
    return days.pop()


def _require_same_as_of(conn: duckdb.DuckDBPyConnection, as_of: datetime) -> None:
    """The lists come from marts other than the summary; built for another as_of they would
    describe another morning."""
    other = conn.execute(
        f"select distinct queued_as_of from {TASKS} union select distinct queued_as_of from {STALE_LEADS}"
    ).fetchall()
    wrong = sorted(str(value) for (value,) in other if value != as_of)
    if wrong:
        raise DailySummaryError(
            f"{TASKS} or {STALE_LEADS} was built for as_of {', '.join(wrong)}, {SUMMARY} for {as_of}: "
            "build the sales marts in one dbt run"
        )


def _read_lists(
    conn: duckdb.DuckDBPyConnection, summary_date: date, as_of: datetime, top_n: int
) -> dict[str, dict[str, _List]]:
    """Per list (``_ListSpec.key``), per agent id: the first ``top_n`` rows as the cells of the
    summary's tables, and the list's length."""
    parameters = {
        "top_n": top_n,
        "as_of": as_of,
        "next_midnight": datetime.combine(summary_date + timedelta(days=1), datetime.min.time()),
    }
    lists: dict[str, dict[str, _List]] = {}
    for spec in _LISTS:
        given = {name: parameters[name] for name in ("top_n", *spec.parameters)}
        rows: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        totals: dict[str, int] = {}
        for agent_id, total, *values in conn.execute(spec.sql, given).fetchall():
            totals[agent_id] = total
            rows[agent_id].append(spec.cells(values, as_of))
        lists[spec.key] = {agent_id: _List(totals[agent_id], tuple(rows[agent_id])) for agent_id in totals}
    return lists


def _require_lists_agree(agents: Sequence[_Agent], lists: dict[str, dict[str, _List]]) -> None:
    disagreements = []
    for agent in agents:
        for spec in _LISTS:
            found = lists[spec.key].get(agent.agent_id)
            listed = found.total if found else 0
            counted = getattr(agent, spec.count_column)
            if listed != counted:
                disagreements.append(
                    f"  agent {agent.agent_id!r}: {spec.count_column} {counted}, listed {listed}"
                )
    if disagreements:
        raise DailySummaryError(
            f"the lists behind {SUMMARY}'s counts do not match them:\n"
            + "\n".join(disagreements)
            + "\nThe mart's definitions changed (update sales/daily_summary.py) or the marts come "
            "from different dbt runs."
        )


def _text(value: object) -> str:
    return _MISSING if value is None else str(value)


def _moment(value: datetime | None) -> str:
    return _MISSING if value is None else f"{value:%Y-%m-%d %H:%M}"


def _duration(seconds: float) -> str:
    """A lapse an agent reads at a glance: ``3 d 4 h``, ``5 h 10 min``, ``12 min`` (at least 1)."""
    minutes = max(1, round(seconds / 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def _overdue_cells(values: Sequence[Any], as_of: datetime) -> tuple[str, ...]:
    task, lead, company, phone, due_at, status, priority = values
    overdue_by = _duration((as_of - due_at).total_seconds())
    return tuple(map(_text, (task, lead, company, phone))) + (
        _moment(due_at),
        overdue_by,
        _text(status),
        _text(priority),
    )


def _due_today_cells(values: Sequence[Any], as_of: datetime) -> tuple[str, ...]:
    task, lead, company, phone, due_at, status, priority = values
    return (f"{due_at:%H:%M}", *map(_text, (task, lead, company, phone, status, priority)))


def _new_lead_cells(values: Sequence[Any], as_of: datetime) -> tuple[str, ...]:
    lead, company, phone, assigned_at, channel, status, score = values
    return tuple(map(_text, (lead, company, phone))) + (
        _moment(assigned_at),
        *map(_text, (channel, status, score)),
    )


def _stale_lead_cells(values: Sequence[Any], as_of: datetime) -> tuple[str, ...]:
    lead, company, phone, last_touch_at, days_without_activity, status, priority = values
    return tuple(map(_text, (lead, company, phone))) + (
        _moment(last_touch_at),
        _duration(days_without_activity * 86400),
        _text(status),
        _text(priority),
    )


@dataclass(frozen=True)
class _ListSpec:
    """One list behind a count of the mart: where its rows come from and how they are shown."""

    key: str
    heading: str
    count_column: str  # the column of marts.agent_daily_summary that counts it
    columns: tuple[str, ...]
    sql: str  # (agent_id, the list's length, the cells' values), the first $top_n rows per agent
    cells: Callable[[Sequence[Any], datetime], tuple[str, ...]]
    parameters: tuple[str, ...] = ()  # beyond top_n


_LISTS = (
    _ListSpec(
        "overdue",
        "Overdue",
        "overdue_count",
        ("task", *_LEAD_HEADINGS, "was due", "overdue by", "status", "priority"),
        _OVERDUE_SQL,
        _overdue_cells,
    ),
    _ListSpec(
        "due_today",
        "Due today",
        "due_today_count",
        ("due (UTC)", "task", *_LEAD_HEADINGS, "status", "priority"),
        _DUE_TODAY_SQL,
        _due_today_cells,
        ("as_of", "next_midnight"),
    ),
    _ListSpec(
        "new",
        "New leads",
        "new_lead_count",
        (*_LEAD_HEADINGS, "assigned", "channel", "status", "score"),
        _NEW_LEADS_SQL,
        _new_lead_cells,
    ),
    _ListSpec(
        "stale",
        "Stale leads",
        "stale_lead_count",
        (*_LEAD_HEADINGS, "last touch", "quiet for", "status", "priority"),
        _STALE_LEADS_SQL,
        _stale_lead_cells,
    ),
)


def _agent_page(agent: _Agent, lists: dict[str, _List | None]) -> _Page:
    capacity = "no limit" if agent.capacity is None else str(agent.capacity)
    paragraphs = [
        f"As of {agent.summary_as_of:%Y-%m-%d %H:%M:%S} UTC. Agent {agent.agent_id}, "
        f"{'active' if agent.is_active else 'inactive'}; open leads {_text(agent.open_lead_count)} "
        f"of {capacity}."
    ]
    if agent.top_task_lead_name is not None:
        value = agent.top_task_expected_value
        worth = "" if value is None else f" (expected value {value:,.0f} USD)"
        paragraphs.append(
            f"First in your queue: {_text(agent.top_task_name)} for {agent.top_task_lead_name}{worth}."
        )
    if agent.routed_lead_count:
        paragraphs.append(f"Routing recommends {agent.routed_lead_count} lead(s) for you in this run.")
    counts = (
        ("overdue", agent.overdue_count),
        ("due today", agent.due_today_count),
        ("new leads", agent.new_lead_count),
        ("stale leads", agent.stale_lead_count),
        ("routed to you", agent.routed_lead_count),
        ("open tasks", agent.open_task_count),
    )
    if not any(getattr(agent, spec.count_column) for spec in _LISTS):
        paragraphs.append("Nothing due: no overdue tasks, nothing due today, no new or stale leads.")
        return _Page(_agent_title(agent), tuple(paragraphs), counts, (), links_to_index=True)
    sections = []
    for spec in _LISTS:
        count = getattr(agent, spec.count_column)
        found = lists[spec.key]
        rows = found.rows if found else ()
        notes = ("None.",) if not rows else ()
        if count > len(rows):
            notes = (f"and {count - len(rows)} more",)
        table = _Table(spec.columns, rows) if rows else None
        sections.append(_Section(f"{spec.heading} ({count})", table, notes))
    return _Page(_agent_title(agent), tuple(paragraphs), counts, tuple(sections), links_to_index=True)


def _agent_title(agent: _Agent) -> str:
    return f"{agent.name}: daily summary {agent.summary_date.isoformat()}"


def _index_page(agents: Sequence[_Agent], stems: dict[str, str]) -> _Page:
    """Every agent of the mart, by name: a link to the agent's files where they have some."""
    summary_date, as_of = agents[0].summary_date, agents[0].summary_as_of
    rows = tuple(
        (
            _Link(agent.name, stems[agent.agent_id]) if agent.agent_id in stems else agent.name,
            agent.agent_id,
            "active" if agent.is_active else "inactive",
            str(agent.overdue_count),
            str(agent.due_today_count),
            str(agent.new_lead_count),
            str(agent.stale_lead_count),
            str(agent.routed_lead_count),
            str(agent.open_task_count),
        )
        for agent in sorted(agents, key=lambda agent: (agent.name.casefold(), agent.agent_id))
    )
    paragraphs = [
        f"As of {as_of:%Y-%m-%d %H:%M:%S} UTC. {len(agents)} agent(s), {len(stems)} with a summary."
    ]
    if len(stems) < len(agents):
        paragraphs.append("Inactive agents with nothing due have no summary.")
    columns = ("agent", "id", "status", "overdue", "due today", "new", "stale", "routed", "open tasks")
    totals = (
        ("overdue", sum(agent.overdue_count for agent in agents)),
        ("due today", sum(agent.due_today_count for agent in agents)),
        ("new leads", sum(agent.new_lead_count for agent in agents)),
        ("stale leads", sum(agent.stale_lead_count for agent in agents)),
        ("routed", sum(agent.routed_lead_count for agent in agents)),
        ("open tasks", sum(agent.open_task_count for agent in agents)),
    )
    return _Page(
        f"Daily summary {summary_date.isoformat()}",
        tuple(paragraphs),
        totals,
        (_Section("Agents", _Table(columns, rows)),),
        links_to_index=False,
    )


def _markdown_text(value: str) -> str:
    """One line of Markdown that shows ``value`` as written: line breaks become spaces (a table row
    or heading is one line) and the characters that open markup or end a cell are escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(value.splitlines()))


def _markdown_cell(cell: str | _Link) -> str:
    if isinstance(cell, _Link):
        return f"[{_markdown_text(cell.text)}]({cell.stem}.md)"
    return _markdown_text(cell)


def _markdown_row(cells: Iterable[str | _Link]) -> str:
    return "| " + " | ".join(_markdown_cell(cell) for cell in cells) + " |"


def _markdown(page: _Page) -> str:
    lines = [f"# {_markdown_text(page.title)}", ""]
    if page.links_to_index:
        lines += [f"[All agents]({INDEX}.md)", ""]
    for paragraph in page.paragraphs:
        lines += [_markdown_text(paragraph), ""]
    if page.counts:
        lines += [
            _markdown_row(label for label, _ in page.counts),
            "|" + "---:|" * len(page.counts),
            _markdown_row(str(value) for _, value in page.counts),
            "",
        ]
    for section in page.sections:
        lines += [f"## {_markdown_text(section.heading)}", ""]
        if section.table is not None:
            lines += [_markdown_row(section.table.columns), "|" + "---|" * len(section.table.columns)]
            lines += [_markdown_row(row) for row in section.table.rows]
            lines.append("")
        for note in section.notes:
            lines += [_markdown_text(note), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


_STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f6f8; color: #1f2937;
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 16px; }
h1 { font-size: 22px; margin: 4px 0 8px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 24px 0 8px; }
p { margin: 0 0 8px; overflow-wrap: anywhere; }
a { color: #2563eb; }
.muted { color: #6b7280; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; padding: 0; list-style: none; }
.counts li { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 8px 12px; min-width: 96px; }
.counts .value { display: block; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.counts .label { color: #6b7280; font-size: 13px; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid #e5e7eb; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid #e5e7eb;
  overflow-wrap: anywhere; }
th { color: #6b7280; font-size: 13px; font-weight: 600; }
@media (max-width: 640px) {
  thead { display: none; }
  table, tbody, tr, td { display: block; width: 100%; }
  tr { border-bottom: 1px solid #e5e7eb; padding: 6px 0; }
  td { border: 0; padding: 1px 10px; }
  td::before { content: attr(data-label) ": "; color: #6b7280; font-size: 13px; }
}
"""


def _html_cell(column: str, cell: str | _Link) -> str:
    label = escape(column)
    if isinstance(cell, _Link):
        return f'<td data-label="{label}"><a href="{escape(cell.stem)}.html">{escape(cell.text)}</a></td>'
    if column == "phone" and _DIALABLE.fullmatch(cell):
        dial = re.sub(r"[^+0-9]", "", cell)
        return f'<td data-label="{label}"><a href="tel:{escape(dial)}">{escape(cell)}</a></td>'
    return f'<td data-label="{label}">{escape(cell)}</td>'


def _html(page: _Page) -> str:
    """A self-contained page: inline style, no script, nothing fetched (the policy forbids it even
    if a value slipped through unescaped); tables turn into cards on a phone's width."""
    body = [f"<h1>{escape(page.title)}</h1>"]
    if page.links_to_index:
        body.append(f'<p><a href="{INDEX}.html">All agents</a></p>')
    body += [f'<p class="muted">{escape(paragraph)}</p>' for paragraph in page.paragraphs[:1]]
    body += [f"<p>{escape(paragraph)}</p>" for paragraph in page.paragraphs[1:]]
    if page.counts:
        body.append('<ul class="counts">')
        body += [
            f'<li><span class="value">{value}</span><span class="label">{escape(label)}</span></li>'
            for label, value in page.counts
        ]
        body.append("</ul>")
    for section in page.sections:
        body += ["<section>", f"<h2>{escape(section.heading)}</h2>"]
        if section.table is not None:
            columns = section.table.columns
            body.append("<table>")
            body.append("<thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in columns) + "</tr></thead>")
            body.append("<tbody>")
            body += [
                "<tr>"
                + "".join(_html_cell(column, cell) for column, cell in zip(columns, row, strict=True))
                + "</tr>"
                for row in section.table.rows
            ]
            body.append("</tbody></table>")
        body += [f'<p class="muted">{escape(note)}</p>' for note in section.notes]
        body.append("</section>")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{escape(page.title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def _write_page(folder: Path, stem: str, page: _Page) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    markdown, html = folder / f"{stem}.md", folder / f"{stem}.html"
    write_text_atomically(markdown, _markdown(page))
    write_text_atomically(html, _html(page))
    return [markdown, html]


def _remove_other_files(day_dir: Path, written: Sequence[Path]) -> None:
    """Summary files of the day this run did not write (an agent who left the mart or went quiet
    since an earlier run for the same day): gone, so the folder holds what the index lists."""
    keep = set(written)
    for path in sorted(day_dir.iterdir()):
        if path.suffix in (".md", ".html") and path.is_file() and path not in keep:
            path.unlink()
