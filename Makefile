# tucai — the two commands are `make run` and `make test`; both do all set-up.
BUILD  ?= build/release
TBUILD ?= build/test
DATA   ?= data
MESON_RELEASE = meson setup $(BUILD) --buildtype=release -Db_ndebug=true
MESON_TEST    = meson setup $(TBUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

.PHONY: all setup build build-test run cluster test bench load gallery eval fuzz clean

all: build

setup:
	@bash scripts/setup

build: setup
	@if [ -d $(BUILD) ]; then meson setup --reconfigure $(BUILD) >/dev/null; else $(MESON_RELEASE); fi
	@ninja -C $(BUILD)

build-test: setup
	@if [ -d $(TBUILD) ]; then meson setup --reconfigure $(TBUILD) >/dev/null; else $(MESON_TEST); fi
	@ninja -C $(TBUILD)

# Serve the demo: creates data/ with a demo school on first run and prints
# how to sign in as each role.
run: build
	$(BUILD)/tucai serve --data-dir $(DATA) --demo

# The same on a cluster on loopback (issue 18): PostgreSQL, Swift (S3), two
# serve nodes, one photo worker, nginx in front (scripts/cluster; Ctrl-C
# stops and removes it all).
cluster: build
	@bash scripts/cluster $(BUILD)

test: build-test
	@bash scripts/run-tests $(TBUILD)

bench: build
	@bash scripts/bench $(BUILD)

# The load test (issue 18): simulated students walk the journey against one
# node for a bounded time (scripts/load STUDENTS SECONDS; default 1000, 60 s).
load: build
	@BUILD=$(BUILD) bash scripts/load

# The checks' evaluation: the labelled set made from the portraits, the
# pipeline run on it, per check false rejects / misses (docs/QUALITY.md).
eval: build
	@bash scripts/eval $(BUILD)

# Every test portrait through `tucai photo`, as one page to look at the edges.
gallery: build
	@bash scripts/gallery $(BUILD)

fuzz: setup
	@bash scripts/fuzz

clean:
	rm -rf build
