"""sales.daily_summary: the lists agree with the mart's counts, every value is escaped for its format,
agent ids cannot leave the output folder, and a rerun writes the same bytes.

The marts are tiny tables in a temporary DuckDB file, with the columns and types of the dbt
contracts (read from the models' YAML, so a renamed column fails here), filled with the rows a dbt
build would give for AS_OF."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from sales.daily_summary import DailySummaryError, write_daily_summaries

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MARTS = PROJECT_ROOT / "dbt_project" / "models" / "marts"
AS_OF = datetime(2026, 11, 1, 8, 0)
DAY = "2026-11-01"
HOSTILE_ID = "../../etc/x"
HOSTILE_NAME = "<script>alert(1)</script> | x\ny"

# int_sales_leads_joined has no typed contract: its columns as its SQL selects them.
SALES_LEADS_COLUMNS = {
    "lead_id": "varchar",
    "owner_agent_id": "varchar",
    "assigned_at": "timestamp",
    "current_status": "varchar",
    "current_status_at": "timestamp",
    "is_closed": "boolean",
    "is_won": "boolean",
    "won_amount": "double",
    "first_channel": "varchar",
    "first_seen_at": "timestamp",
    "region": "varchar",
    "industry": "varchar",
    "product_interest": "varchar",
    "budget": "double",
    "company_size": "bigint",
    "do_not_email": "boolean",
    "do_not_call": "boolean",
    "score": "integer",
    "grade": "varchar",
    "priority": "varchar",
    "last_activity_at": "timestamp",
    "last_lead_action_at": "timestamp",
    "last_team_touch_at": "timestamp",
}


def contract(yaml_file: str, model: str) -> dict[str, str]:
    """The enforced contract of a mart: column -> DuckDB type."""
    models = yaml.safe_load((MARTS / yaml_file).read_text())["models"]
    (found,) = [m for m in models if m["name"] == model]
    return {c["name"]: {"string": "varchar"}.get(c["data_type"], c["data_type"]) for c in found["columns"]}


TABLES = {
    "marts.agent_daily_summary": contract("sales/_sales__queues.yml", "agent_daily_summary"),
    "marts.follow_up_tasks": contract("sales/_sales__queues.yml", "follow_up_tasks"),
    "marts.stale_leads": contract("sales/_sales__queues.yml", "stale_leads"),
    "marts.dim_leads": contract("leads/_leads__models.yml", "dim_leads"),
    "intermediate.int_sales_leads_joined": SALES_LEADS_COLUMNS,
}


def create_tables(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema marts")
    conn.execute("create schema intermediate")
    for table, columns in TABLES.items():
        conn.execute(f"create table {table} ({', '.join(f'{c} {t}' for c, t in columns.items())})")


def insert(conn: duckdb.DuckDBPyConnection, table: str, *rows: dict[str, Any]) -> None:
    for row in rows:
        names = ", ".join(row)
        conn.execute(
            f"insert into {table} ({names}) values ({', '.join('?' * len(row))})", list(row.values())
        )


def agent(agent_id: str, name: str, *, active: bool = True, **counts: Any) -> dict[str, Any]:
    zero = dict.fromkeys(
        (
            "overdue_count",
            "due_today_count",
            "new_lead_count",
            "routed_lead_count",
            "stale_lead_count",
            "open_task_count",
        ),
        0,
    )
    return {
        "agent_id": agent_id,
        "agent_name": name,
        "is_active": active,
        "open_lead_count": 4,
        "capacity": 40,
        "summary_date": AS_OF.date(),
        "summary_as_of": AS_OF,
        **zero,
        **counts,
    }


def task(task_id: str, agent_id: str, lead_id: str, due_at: str, name: str = "Call back") -> dict[str, Any]:
    due = datetime.fromisoformat(due_at)
    minutes = (due - AS_OF).total_seconds() / 60
    status = (
        "overdue"
        if minutes < 0
        else "next_30_minutes"
        if minutes <= 30
        else "next_day"
        if minutes <= 1440
        else "later"
    )
    return {
        "task_id": task_id,
        "lead_id": lead_id,
        "agent_id": agent_id,
        "agent_source": "owner",
        "task_source": "rule",
        "source_id": "quote_sent",
        "task": "call",
        "task_name": name,
        "due_at": due,
        "due_status": status,
        "minutes_until_due": minutes,
        "current_status": "Proposal",
        "priority": "high",
        "queued_as_of": AS_OF,
    }


def lead(lead_id: str, first_name: str, last_name: str = "", **fields: Any) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "first_name": first_name,
        "last_name": last_name,
        "company": f"{first_name} Co",
        "phone": "+15550000000",
        "do_not_call": False,
        **fields,
    }


def owned(lead_id: str, agent_id: str, assigned_at: str) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "owner_agent_id": agent_id,
        "assigned_at": datetime.fromisoformat(assigned_at),
        "current_status": "New",
        "is_closed": False,
        "first_channel": "web_form",
        "score": 55,
    }


def stale(lead_id: str, agent_id: str, last_touch_at: str) -> dict[str, Any]:
    touched = datetime.fromisoformat(last_touch_at)
    return {
        "lead_id": lead_id,
        "agent_id": agent_id,
        "agent_source": "owner",
        "current_status": "Contacted",
        "last_touch_at": touched,
        "days_without_activity": (AS_OF - touched).total_seconds() / 86400,
        "stale_after_days": 7,
        "priority": "medium",
        "queued_as_of": AS_OF,
    }


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Ann has some of everything, Bob (active) and Cid (inactive) nothing, and an agent with a
    hostile id and name has one overdue task of a hostile lead."""
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        create_tables(conn)
        insert(
            conn,
            "marts.agent_daily_summary",
            agent(
                "ann",
                "Ann Lee",
                overdue_count=3,
                due_today_count=2,
                new_lead_count=2,
                stale_lead_count=2,
                routed_lead_count=1,
                open_task_count=7,
                top_task_lead_id="L-new1",
                top_task_name="Call back",
                top_task_expected_value=1234.5,
            ),
            agent("bob", "Bob Ray"),
            agent("cid", "Cid Moe", active=False),
            agent(HOSTILE_ID, HOSTILE_NAME, overdue_count=1, open_task_count=1),
        )
        insert(
            conn,
            "marts.follow_up_tasks",
            task("t-o2", "ann", "L-a", "2026-10-31 09:00:00"),
            task("t-o1", "ann", "L-b", "2026-10-30 10:00:00"),
            task("t-o3", "ann", "L-a", "2026-11-01 07:30:00"),
            task("t-d1", "ann", "L-b", "2026-11-01 15:00:00"),
            task("t-d2", "ann", "L-new1", "2026-11-01 08:00:00"),  # at as_of: due today
            task("t-n1", "ann", "L-a", "2026-11-02 00:00:00"),  # next midnight: tomorrow
            task("t-l1", "ann", "L-a", "2026-11-20 00:00:00"),
            task("t-x", HOSTILE_ID, "L-evil", "2026-10-31 00:00:00", name="Call | now\nplease"),
            task("t-none", None, "L-a", "2026-10-01 00:00:00"),  # no agent: in no summary
        )
        insert(
            conn,
            "marts.dim_leads",
            lead("L-a", "Alma", "Ortiz"),
            lead("L-b", "Ben"),
            lead("L-new1", "Nia", "Park"),
            lead("L-new2", "Noa", "Kim", do_not_call=True),
            lead("L-old", "Olga"),
            lead("L-s1", "Sam"),
            lead("L-s2", "Sue"),
            lead("L-evil", "<b>Eve</b>", "O|Neil\nJr", company="<script>evil()</script>"),
        )
        insert(
            conn,
            "intermediate.int_sales_leads_joined",
            owned("L-new2", "ann", "2026-10-31 12:00:00"),
            owned("L-new1", "ann", "2026-11-01 07:00:00"),
            owned("L-old", "ann", "2026-10-31 08:00:00"),  # exactly 24 hours before as_of: not new
            owned("L-a", "ann", "2026-10-01 00:00:00"),
            owned("L-b", "bob", "2026-09-01 00:00:00"),
        )
        insert(
            conn,
            "marts.stale_leads",
            stale("L-s2", "ann", "2026-10-20 08:00:00"),
            stale("L-s1", "ann", "2026-10-01 08:00:00"),
        )
        yield conn


def table_rows(markdown: str, heading: str) -> list[list[str]]:
    """The cells of the table under the ``## <heading>`` (with its count, if any) of a Markdown
    summary, split at the unescaped pipes only."""
    lines = markdown.splitlines()
    (start,) = [
        i for i, line in enumerate(lines) if re.fullmatch(rf"## {re.escape(heading)}( \(\d+\))?", line)
    ]
    rows = []
    for line in lines[start + 4 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def section(markdown: str, heading: str) -> str:
    """The text of a section, up to the next heading."""
    return re.split(r"\n## ", markdown.split(f"\n## {heading} (", 1)[1])[0]


def test_lists_agree_with_the_counts_in_the_marts_order(conn, tmp_path):
    out = tmp_path / "exports"
    report = write_daily_summaries(conn, out)
    day = out / DAY
    assert report.summary_date == AS_OF.date()
    assert report.out_dir == out
    assert report.agents == (HOSTILE_ID, "ann", "bob")  # cid: inactive, nothing due
    ann = (day / "ann.md").read_text()

    counts = dict(
        zip(
            ("overdue_count", "due_today_count", "new_lead_count", "stale_lead_count"),
            conn.execute(
                "select overdue_count, due_today_count, new_lead_count, stale_lead_count "
                "from marts.agent_daily_summary where agent_id = 'ann'"
            ).fetchone(),
            strict=True,
        )
    )
    overdue = table_rows(ann, "Overdue")
    due_today = table_rows(ann, "Due today")
    new = table_rows(ann, "New leads")
    stale_leads = table_rows(ann, "Stale leads")
    assert len(overdue) == counts["overdue_count"] == 3
    assert len(due_today) == counts["due_today_count"] == 2
    assert len(new) == counts["new_lead_count"] == 2
    assert len(stale_leads) == counts["stale_lead_count"] == 2

    # most overdue first; by due time; most recently assigned first; longest without a touch first
    assert [row[4] for row in overdue] == ["2026-10-30 10:00", "2026-10-31 09:00", "2026-11-01 07:30"]
    assert [row[5] for row in overdue] == ["1 d 22 h", "23 h 0 min", "30 min"]
    assert [row[0] for row in due_today] == ["08:00", "15:00"]
    assert [row[0] for row in new] == ["Nia Park", "Noa Kim"]  # not Olga, assigned 24 hours ago
    assert [row[0] for row in stale_leads] == ["Sam", "Sue"]
    assert [row[4] for row in stale_leads] == ["31 d 0 h", "12 d 0 h"]
    assert new[1][2] == "do not call"  # no number for a lead who opted out of calls
    assert "First in your queue: Call back for Nia Park (expected value 1,234 USD)." in ann
    assert "Routing recommends 1 lead(s) for you in this run." in ann
    assert not re.search(r"and \d+ more", ann) and "Nothing due" not in ann

    html = (day / "ann.html").read_text()
    assert html.count('<td data-label="task">') == 3 + 2
    assert '<a href="tel:+15550000000">+15550000000</a>' in html
    assert '<a href="index.html">All agents</a>' in html


def test_an_active_agent_with_nothing_due_says_so_and_the_index_lists_everyone(conn, tmp_path):
    out = tmp_path / "exports"
    report = write_daily_summaries(conn, out)
    day = out / DAY
    bob = (day / "bob.md").read_text()
    assert "Nothing due: no overdue tasks, nothing due today, no new or stale leads." in bob
    assert "## " not in bob
    assert "Nothing due" in (day / "bob.html").read_text()
    assert not list(day.glob("cid.*"))

    index = (day / "index.md").read_text()
    agents = {row[1]: row for row in table_rows(index, "Agents")}
    assert set(agents) == {"ann", "bob", "cid", r"../../etc/x"}
    assert agents["ann"][0] == "[Ann Lee](ann.md)"
    assert agents["ann"][3:] == ["3", "2", "2", "2", "1", "7"]
    assert agents["cid"][:3] == ["Cid Moe", "cid", "inactive"]  # no file, no link
    assert "Inactive agents with nothing due have no summary." in index
    assert '<a href="ann.html">Ann Lee</a>' in (day / "index.html").read_text()
    assert sorted(report.files) == sorted(p for p in day.iterdir())
    assert report.files[-2:] == (day / "index.md", day / "index.html")


def test_a_hostile_agent_id_stays_inside_the_days_folder(conn, tmp_path):
    out = tmp_path / "deep" / "exports"
    report = write_daily_summaries(conn, out)
    day = (out / DAY).resolve()
    assert len(report.files) == 2 * 3 + 2
    for path in report.files:
        assert path.resolve().parent == day
        assert not path.name.startswith(".")
    written = {p for p in tmp_path.rglob("*") if p.is_file() and not p.name.startswith("warehouse.duckdb")}
    assert written == set(report.files)
    (hostile,) = [p for p in report.files if p.suffix == ".md" and "etc" in p.name]
    assert re.fullmatch(r"etc-x-[0-9a-f]{12}\.md", hostile.name)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_every_value_is_escaped_in_html_and_markdown(conn, tmp_path):
    report = write_daily_summaries(conn, tmp_path / "exports")
    (md_path,) = [p for p in report.files if p.suffix == ".md" and "etc" in p.name]
    html_path = md_path.with_suffix(".html")

    for path in (html_path, html_path.with_name("index.html")):
        parser = Tags()
        parser.feed(path.read_text())
        assert {"script", "b"}.isdisjoint(parser.tags)
        assert "<script>alert(1)</script> | x\ny" in "".join(parser.text)
    html = html_path.read_text()
    assert "&lt;script&gt;evil()&lt;/script&gt;" in html and "&lt;b&gt;Eve&lt;/b&gt;" in html
    assert "<script" not in html.lower() and "http://" not in html and "https://" not in html

    markdown = md_path.read_text()
    assert markdown.startswith(r"# \<script\>alert(1)\</script\> \| x y: daily summary 2026-11-01" + "\n")
    (row,) = table_rows(markdown, "Overdue")
    assert row[:3] == [r"Call \| now please", r"\<b\>Eve\</b\> O\|Neil Jr", r"\<script\>evil()\</script\>"]
    assert len(row) == 8  # the pipes in the values did not add cells
    index_rows = table_rows(html_path.with_name("index.md").read_text(), "Agents")
    hostile = [r for r in index_rows if r[1] == r"../../etc/x"]
    assert hostile[0][0].startswith(r"[\<script\>alert(1)\</script\> \| x y](etc-x-")


def test_a_rerun_for_the_same_as_of_writes_the_same_bytes(conn, tmp_path):
    out = tmp_path / "exports"
    first = write_daily_summaries(conn, out)
    before = {path: path.read_bytes() for path in first.files}
    (out / DAY / "someone-gone.md").write_text("an agent of an earlier run of the day")
    (out / DAY / "notes.txt").write_text("not a summary")
    second = write_daily_summaries(conn, out)
    assert second == first
    assert {path: path.read_bytes() for path in second.files} == before
    assert not (out / DAY / "someone-gone.md").exists()
    assert (out / DAY / "notes.txt").exists()
    assert not list((out / DAY).glob(".*"))


def test_top_n_cuts_each_list_and_says_how_many_more(conn, tmp_path):
    report = write_daily_summaries(conn, tmp_path / "exports", top_n=1)
    ann = (report.out_dir / DAY / "ann.md").read_text()
    assert [row[4] for row in table_rows(ann, "Overdue")] == ["2026-10-30 10:00"]
    assert "and 2 more" in section(ann, "Overdue")
    assert [row[0] for row in table_rows(ann, "New leads")] == ["Nia Park"]
    assert "and 1 more" in section(ann, "New leads")
    assert "and 1 more" in (report.out_dir / DAY / "ann.html").read_text()
    with pytest.raises(ValueError, match="top_n"):
        write_daily_summaries(conn, tmp_path / "exports", top_n=0)


def test_agent_ids_differing_only_in_case_or_by_unsafe_characters_get_distinct_files(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        create_tables(conn)
        ids = ("Dup", "dup", "a/b", "a-b", "index", "CON", ".", "")
        insert(conn, "marts.agent_daily_summary", *(agent(i, f"Agent {i}") for i in ids))
        report = write_daily_summaries(conn, tmp_path / "exports")
    names = [p.name for p in report.files]
    assert len(set(n.casefold() for n in names)) == len(names) == 2 * len(ids) + 2
    assert "a-b.md" in names and "index.md" in names and "CON.md" not in names
    assert all(p.parent == tmp_path / "exports" / DAY for p in report.files)


def test_an_empty_mart_writes_only_an_index_saying_so(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        create_tables(conn)
        report = write_daily_summaries(conn, tmp_path / "exports")
    assert report.summary_date is None and report.agents == ()
    assert report.files == (tmp_path / "exports" / "index.md", tmp_path / "exports" / "index.html")
    assert "has no agents" in report.files[0].read_text()
    assert "has no agents" in report.files[1].read_text()


def test_a_missing_mart_is_named_with_what_builds_it(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        with pytest.raises(DailySummaryError, match=r"marts\.agent_daily_summary: built by dbt") as error:
            write_daily_summaries(conn, tmp_path / "exports")
    assert "dbt_project/models/marts/sales/agent_daily_summary.sql" in str(error.value)
    assert not (tmp_path / "exports").exists()


def test_lists_that_contradict_the_counts_stop_the_run(conn, tmp_path):
    conn.execute("update marts.agent_daily_summary set overdue_count = 4 where agent_id = 'ann'")
    with pytest.raises(DailySummaryError, match=r"agent 'ann': overdue_count 4, listed 3"):
        write_daily_summaries(conn, tmp_path / "exports")
    conn.execute("update marts.agent_daily_summary set overdue_count = 3 where agent_id = 'ann'")
    conn.execute("update marts.stale_leads set queued_as_of = timestamp '2026-10-31 08:00:00'")
    with pytest.raises(DailySummaryError, match=r"built for as_of 2026-10-31 08:00:00"):
        write_daily_summaries(conn, tmp_path / "exports")
    assert not (tmp_path / "exports").exists()
