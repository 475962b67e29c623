# One Makefile. The README names `make run` (the main job) and `make test` (the tests); CI runs `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DATA ?= data

.PHONY: install system-deps run demo test test-fast lint bench eval screenshots clean
EVAL_CONFIGS := --config hybrid --config hybrid-equal --config bm25 --config dense --config hybrid-nosyn --config chunk200 --config dense-sentences

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q assistant ui  # an editable install compiles nothing: cold CLI starts need it
	touch $(STAMP)

install: $(STAMP)

## Debian packages (installed once, as root): headless Chromium and a CJK font for the browser and OCR tests;
## LibreOffice without its GUI to convert .doc/.wps and .xls/.et (ingest and tests).
system-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || { \
	  echo "installing chromium and fonts-wqy-microhei (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }
	@command -v soffice >/dev/null 2>&1 || { \
	  echo "installing libreoffice-writer-nogui and libreoffice-calc-nogui (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer-nogui libreoffice-calc-nogui >/dev/null; }

## The main job: build the environment, ingest the sample corpus (and ../shared/seeds if present) on first
## run, and serve the app on http://127.0.0.1:7860 (HOST/PORT to change).
HOST ?= 127.0.0.1
PORT ?= 7860
run: install
	$(BIN)/kechuang serve --data-dir $(DATA) --host $(HOST) --port $(PORT) --ingest corpora --ingest ../shared/seeds

## Ingest the sample corpus and show a few example searches in the terminal.
demo: install
	$(BIN)/kechuang demo --data-dir $(DATA)

## All tests, offline (sockets blocked except loopback), plus lint; the browser tests use Debian's chromium.
test: install system-deps
	$(BIN)/ruff check assistant tests scripts bench
	$(BIN)/python -m pytest

## Quick loop while developing: skips nothing, just stops at the first failure.
test-fast: install
	$(BIN)/python -m pytest -x -q

lint: install
	$(BIN)/ruff check assistant tests scripts bench

## Benchmarks: ingest and embedding throughput, query latency and memory (sample corpus; synthetic 10k, 100k and
## 1M chunks, about an hour), cold start of the CLI.
bench: install
	$(BIN)/python -m bench.run --scales 10000 100000 1000000 --out bench/RESULTS.md
	$(BIN)/python -m bench.coldstart --write
	$(BIN)/python -m bench.load --requests 20 --concurrency 2 --during-ingest 2000 --write

## Full offline evaluation of both golden sets, several configurations side by side; HTML reports in
## eval/reports/, current figures recorded in eval/RESULTS.md.
eval: install
	$(BIN)/kechuang eval --set eval/golden/seeds.jsonl --set eval/golden/seeds_holdout.jsonl --corpus ../shared/seeds $(EVAL_CONFIGS) --out eval/reports
	$(BIN)/kechuang eval --set eval/golden/corpus.jsonl --set eval/golden/corpus_holdout.jsonl --corpus corpora $(EVAL_CONFIGS) --out eval/reports
	$(BIN)/kechuang eval --set eval/golden/neardup.jsonl --corpus eval/corpora/neardup --config hybrid --config hybrid-equal --config bm25 --config dense --out eval/reports
	$(BIN)/kechuang eval --set eval/golden/admissions.jsonl --corpus eval/corpora/admissions --config hybrid --config bm25 --config dense --out eval/reports
	$(BIN)/kechuang eval --set eval/golden/corpus_people.jsonl --corpus corpora --config hybrid --config bm25 --out eval/reports
	$(BIN)/kechuang eval --set eval/golden/seeds_people.jsonl --corpus ../shared/seeds --config hybrid --config bm25 --out eval/reports
	$(BIN)/kechuang eval --set eval/golden/corpus_nearmiss.jsonl --corpus corpora --config hybrid --config bm25 --out eval/reports
	{ echo "# Evaluation results"; echo; echo "Produced by \`make eval\` (offline, no LLM). HTML reports with charts and drill-down: eval/reports/*.html"; echo; \
	  sed 's/^# /## /' eval/reports/seeds.md; echo; sed 's/^# /## /' eval/reports/corpus.md; echo; \
	  echo "## Near-duplicate policies (eval/corpora/neardup: 54 documents, the same measure for several years, cities and enterprise types; 207 questions, 30 % held out)"; echo; \
	  sed 's/^# /## /' eval/reports/neardup.md; echo; \
	  echo "## Admission-policy near-duplicates (eval/corpora/admissions: 38 fictional 招生章程/简章 of 6 schools for 2022–2024 and several categories; 218 questions as students and parents ask, 30 % held out; a stand-in for held-out public benchmarks of that kind)"; echo; \
	  sed 's/^# /## /' eval/reports/admissions.md; echo; \
	  echo "## Paraphrased questions (corpus_people, seeds_people: written from the documents without seeing the other sets, in people's words — colloquial, abbreviated, typos; 40 % held out)"; echo; \
	  sed 's/^# /## /' eval/reports/corpus_people.md; echo; sed 's/^# /## /' eval/reports/seeds_people.md; echo; \
	  echo "## Near-miss questions (corpus_nearmiss: 40 questions that look answerable from corpora/ but are not — another city, year, enterprise type, aspect or a measure absent — and 30 answerable paraphrases; 30 % held out)"; echo; \
	  sed 's/^# /## /' eval/reports/corpus_nearmiss.md; echo; \
	  echo "## Domain tables (\`kechuang eval tables\`: dev rows were used while building the parsers, holdout rows were not)"; echo; \
	  $(BIN)/kechuang eval tables; echo; \
	  echo "## Conversations (\`kechuang eval multiturn\`: 60 two- and three-turn cases, follow-ups and topic switches, offline)"; echo; \
	  $(BIN)/kechuang eval multiturn; echo; \
	  echo "## Supply–demand matching (\`kechuang eval matching\`: eval/golden/matching.jsonl, 71 needs in plain words with graded relevant records and negative pairs, 18 held out; reasons on tests/tables/match_evidence.jsonl, 66 need–record pairs in words the record does not use, 23 held out)"; echo; \
	  $(BIN)/kechuang eval matching; echo; \
	  echo "## Need postings by conversation (\`kechuang eval dialogues\`: tests/tables/need_dialogues.jsonl, replies read as answers, nothing invented, no question repeated)"; echo; \
	  $(BIN)/kechuang eval dialogues; echo; \
	  echo "## Field of a need (\`kechuang eval fields\`: tests/tables/need_fields.jsonl, 165 descriptions, most in words no keyword list has, with keyword traps; wrong = a field shown for confirmation that is not the need's; 50 held out)"; echo; \
	  $(BIN)/kechuang eval fields; echo; \
	  echo "## Report revisions by chat (\`kechuang eval revisions\`: tests/tables/report_revisions.jsonl, 120 instructions as staff type them, read into structured revisions or refused; 37 held out)"; echo; \
	  $(BIN)/kechuang eval revisions; echo; \
	  echo "## Enterprise journey (\`kechuang eval journey\`: profile verdicts; support items drafted offline from policy documents)"; echo; \
	  $(BIN)/kechuang eval journey; } > eval/RESULTS.md

## Screenshots of every tab, from the browser tests, into screenshots/.
screenshots: install system-deps
	KECHUANG_SCREENSHOTS=$(CURDIR)/screenshots $(BIN)/python -m pytest -q tests/test_ui_browser.py
	@ls screenshots/*.png

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .ruff_cache
