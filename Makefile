# Leadhouse: `make run` builds everything from a fresh clone; `make test` runs the suite.
# Needs only python3 (3.11+), make and git.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DATA_DIR := $(or $(LEADHOUSE_DATA_DIR),data)
LEADS ?= 10000
SEED ?= 42
DEV_PORT ?= 3000

export DAGSTER_HOME := $(CURDIR)/dagster_home
export DO_NOT_TRACK := 1
export DBT_VERSION_CHECK := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export LEADHOUSE_DATA_DIR := $(abspath $(DATA_DIR))

.PHONY: run test lint install install-spark test-spark data manifest materialize backfill summary dev docs lock clean bench-env bench-er bench-generator bench-ingest bench-pipeline bench-spark bench-scoring bench-funnel bench-model bench-crm-extract bench-crm bench-crm-send crm-demo

run: install data manifest materialize backfill summary ## set up, generate sample data, build every asset, summarize

# The sample is generated as of this date, and `make run` scores and queues it as of then (the
# marts' "now", LEADHOUSE_AS_OF; unset elsewhere, so a run takes its own start as "now").
SAMPLE_AS_OF := 2026-11-01
run: export LEADHOUSE_AS_OF ?= $(SAMPLE_AS_OF)

# Two workers, one test file each at a time (module fixtures, such as a pipeline run every test of a
# file reads, are built once). PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n 2 --dist loadfile
test: install manifest ## run the test suite
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install ## ruff: lint and formatting (what CI runs before the tests)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

install: $(VENV)/.installed ## virtual environment from the lock file

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

install-spark: $(VENV)/.installed-spark ## the Spark extra (dbt-spark, pyspark) into the same environment; needs Java 17+

$(VENV)/.installed-spark: $(VENV)/.installed requirements-spark.lock
	@command -v java >/dev/null || { echo "install-spark: no java on PATH; Spark needs a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)"; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -r requirements-spark.lock
	touch $@

SPARK_LEADS ?= 2000
SPARK_DIR ?= $(abspath $(DATA_DIR))/spark-parity
test-spark: install-spark ## build the sample on DuckDB and on Spark, compare every mart row by row (docs/scale-out.md)
	rm -rf $(SPARK_DIR)
	$(PY) -m leadhouse.parity --data $(SPARK_DIR) --leads $(SPARK_LEADS)

data: install ## sample sources under $(DATA_DIR)/landing (skipped when already generated)
	@if [ -f "$(DATA_DIR)/.sample-$(LEADS)-$(SEED)" ]; then \
		echo "sample data for $(LEADS) leads (seed $(SEED)) already in $(DATA_DIR)"; \
	else \
		$(PY) -m sample_data --leads $(LEADS) --seed $(SEED) --as-of $(SAMPLE_AS_OF) --out "$(DATA_DIR)" && touch "$(DATA_DIR)/.sample-$(LEADS)-$(SEED)"; \
	fi

manifest: install ## dbt parse with the project's vars: the manifest the Dagster definitions load (runs reuse its parse)
	$(PY) -m leadhouse.dbt_invocation parse --quiet

# First repairs what a killed run left (orchestration/recover.py); `exec`, so that the SIGTERM make
# forwards reaches dagster itself (docs/operations.md). The job is every asset but the day
# partitions, which `make backfill` builds.
materialize: install manifest ## materialize every asset (in-process) into the warehouse, but the day partitions
	$(PY) -m orchestration.recover
	exec $(VENV)/bin/dagster job execute -j materialize_everything -m orchestration.definitions

# The day-partitioned marts (activities and status changes per day) from partitions.start_date of
# config/schedules.yml to the day before as_of, in one run; rerunning it gives the same rows
# (docs/operations.md, "Partitions"). DAYS=2026-10-01...2026-10-31 builds those days only.
backfill: install manifest ## build the day partitions (DAYS=first...last; default: all of them up to as_of), then publish
	$(PY) -m orchestration.recover
	$(VENV)/bin/dagster asset materialize --select "$$($(PY) -m orchestration.lib.clock selection)" \
		--partition-range "$(or $(DAYS),$$($(PY) -m orchestration.lib.clock range))" -m orchestration.definitions
	exec $(VENV)/bin/dagster job execute -j publish -m orchestration.definitions

# The round trip on this machine's PostgreSQL (docs/exports.md): the CRM's tables and the sample's
# CRM records in the database LEADHOUSE_CRM_DSN names, the pipeline (extraction, warehouse, scores,
# the syncs that write the scores back), then what changed in the CRM.
CRM_DSN := $(or $(LEADHOUSE_CRM_DSN),postgresql://postgres@127.0.0.1:5432/test)
crm-demo: export LEADHOUSE_CRM_DSN = $(CRM_DSN)
crm-demo: export LEADHOUSE_AS_OF ?= $(SAMPLE_AS_OF)
crm-demo: install data manifest ## CRM -> warehouse -> scores -> CRM on the local PostgreSQL (LEADHOUSE_CRM_DSN)
	$(PY) -m leadhouse.crm_demo load
	$(MAKE) --no-print-directory materialize
	$(PY) -m leadhouse.crm_demo report

summary: install ## what is in the warehouse
	$(PY) -m leadhouse.summary

# orchestration/dev.py recovers too, and stops dagster dev's whole process group, runs included.
dev: install manifest ## the Dagster UI on http://127.0.0.1:3000 (DEV_PORT=)
	exec $(PY) -m orchestration.dev -h 127.0.0.1 -p $(DEV_PORT) -w workspace.yaml

# dbt's own site: every model and column, the lineage, the metrics layer (docs/metrics.md) and the
# exposures (what reads the marts). `docs generate` opens the warehouse for its catalog: run it
# while no build is running (DuckDB has one writer). A compiled model needs an as_of: the sample's.
DOCS_PORT ?= 8080
docs: export LEADHOUSE_AS_OF ?= $(SAMPLE_AS_OF)
docs: install ## dbt docs (models, lineage, metrics, exposures) on http://127.0.0.1:8080 (DOCS_PORT=)
	$(VENV)/bin/dbt docs generate --project-dir dbt_project --profiles-dir dbt_project
	exec $(VENV)/bin/dbt docs serve --project-dir dbt_project --profiles-dir dbt_project --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

BENCH_VENV := .venv-bench
ER_DATASETS ?= febrl3,febrl4,gen10k,gen100k,gen1m
BENCH_DIR ?= /tmp/leadhouse-bench

bench-env: $(BENCH_VENV)/.installed ## benchmark-only environment (Splink, recordlinkage): never a runtime dependency

$(BENCH_VENV)/.installed: requirements.lock bench/requirements.txt pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.lock -r bench/requirements.txt
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

bench-er: install manifest bench-env ## entity resolution vs Splink (docs/entity_resolution_benchmark.md)
	$(PY) bench/er/run.py --datasets $(ER_DATASETS) --workdir $(BENCH_DIR)/er --bench-python $(BENCH_VENV)/bin/python

bench-generator: install ## sample-data generator at 1,000,000 leads
	$(PY) bench/generator_bench.py

INGEST_LEADS ?= 1000000
bench-ingest: install ## ingestion of the 1,000,000-lead sample against DuckDB's own read (docs/performance.md)
	$(PY) bench/ingest/run.py --leads $(INGEST_LEADS) --workdir $(BENCH_DIR)/ingest

SIZES ?= 10000 100000
bench-spark: install-spark ## dbt build on Spark against DuckDB at each of SIZES leads (docs/scale-out.md)
	for n in $(SIZES); do $(PY) bench/spark/run.py --leads $$n --workdir $(BENCH_DIR)/spark || exit 1; done

lock: ## re-resolve requirements.lock from pyproject.toml (needs uv)
	uvx --from uv uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-header --annotation-style line -o requirements.lock

clean: ## remove runtime data (warehouse, landing, Dagster history); keeps the environment
	rm -rf "$(DATA_DIR)"/landing "$(DATA_DIR)"/ground_truth "$(DATA_DIR)"/warehouse "$(DATA_DIR)"/published "$(DATA_DIR)"/exports "$(DATA_DIR)"/extract "$(DATA_DIR)"/.sample-*
	find dagster_home -mindepth 1 ! -name dagster.yaml -exec rm -rf {} +

SIZE ?= 1000000
SCENARIO ?= full
bench-pipeline: install manifest ## the whole pipeline at SIZE leads (default 1,000,000) as make materialize runs it, per stage, against DuckDB's read of the same files; SCENARIO=er|scoring|publish|incremental|writes on that run's warehouse (docs/performance.md)
ifeq ($(SCENARIO),full)
	$(PY) bench/pipeline/run.py --leads $(SIZE) --workdir $(BENCH_DIR)/pipeline
else
	$(PY) bench/pipeline/scenarios.py $(SCENARIO) --leads $(SIZE) --workdir $(BENCH_DIR)/pipeline
endif

bench-scoring: install manifest ## scoring, routing and follow-up marts at 1,000,000 leads, 10,000,000 activities (docs/performance.md)
	$(PY) bench/scoring/run.py --workdir $(BENCH_DIR)/marts

bench-funnel: install manifest ## funnel, conversion, pipeline, marketing and account marts at 1,000,000 leads (docs/performance.md)
	$(PY) bench/funnel/run.py --workdir $(BENCH_DIR)/marts

bench-crm: bench-crm-extract bench-crm-send ## the CRM round trip at 1,000,000 leads: extract, diff and send (docs/performance.md)

bench-crm-send: install ## diff and send 1,000,000 scores to PostgreSQL and to a CSV file (bench/crm/send.py)
	$(PY) bench/crm/send.py --workdir $(BENCH_DIR)/crm-send

CRM_LEADS ?= 1000000
bench-crm-extract: install ## the CRM database source: 1,000,000 leads extracted from PostgreSQL and ingested (bench/crm/extract.py)
	$(PY) bench/crm/extract.py --leads $(CRM_LEADS) --workdir $(BENCH_DIR)/crm-extract

bench-model: install manifest ## conversion model: AUC on generated, X Education and Olist data; training and scoring at 1,000,000 leads (bench/model/run.py)
	$(PY) bench/model/run.py --workdir $(BENCH_DIR)/model
