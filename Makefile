# The interface: the board runs `make report`; developers run `make lint test`.
SHELL := /bin/bash
.DEFAULT_GOAL := report

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
STAMP := $(VENV)/.synced

# Debian packages: WeasyPrint's text layout and a font with Vietnamese diacritics for
# `report`; poppler's pdftotext/pdftoppm for the PDF tests, headless chromium and its driver
# for the web pages' tests. Installed when missing and root.
REPORT_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_DEBS := poppler-utils chromium chromium-driver

.PHONY: report test lint fmt sample clean bench debs-report debs-test

# Debian's python3 needs python3-venv for `-m venv`; installed when missing and root.
$(UV):
	@python3 -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
		fi; python3 -m venv $(VENV); }
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet --compile-bytecode  # the environment may forbid writing .pyc at import
	touch $@

define install_debs
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian packages: $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Missing Debian packages (install them as root): $$missing"; \
		fi; \
	fi
endef

debs-report:
	$(call install_debs,$(REPORT_DEBS))

debs-test:
	$(call install_debs,$(TEST_DEBS))

report: $(STAMP) debs-report  ## validate data/raw, build the warehouse, bulletins and feedback
	$(PY) -m pipeline report

test: $(STAMP) debs-report debs-test  ## the whole test suite
	$(PY) -m pytest -q -n auto --dist loadfile  # test files spread over the cores

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

sample: $(STAMP)  ## regenerate the sample province in data/
	$(PY) -m tools.sample --out data

clean:
	rm -rf data/out/warehouse.duckdb data/out/bulletins data/out/feedback data/out/.cache

bench: $(STAMP) debs-report  ## time a national quarter against a naive baseline (long)
	$(PY) bench/bench.py
