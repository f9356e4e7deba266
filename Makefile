# Interplug: the two commands a new user needs are `make run` and `make test`.
# Both start with `make build`, which restores, builds the plugins and the host, and
# publishes the CLI that ./interplug runs.

DOTNET ?= dotnet
CONFIG ?= Release
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: build plugins host run test bench bench-quick clean fuzz soak

build: plugins host

plugins:
	@$(MAKE) -C plugins

host:
	@$(DOTNET) build Interplug.slnx -c $(CONFIG) -v quiet -nologo -clp:NoSummary
	@$(DOTNET) publish src/Interplug.Cli -c $(CONFIG) -o artifacts/cli -v quiet -nologo -clp:NoSummary

# The seed demo: plugin `run` registers count_vowels through the host and calls it.
run: build
	./interplug run run --plugins plugins/dist --trace
	@echo

test: build
	$(DOTNET) test Interplug.slnx -c $(CONFIG) --no-build -v quiet -nologo

# Benchmarks (BenchmarkDotNet, always Release; see docs/benchmarks.md). BENCH_ARGS goes to
# BenchmarkDotNet, e.g. make bench BENCH_ARGS="--filter '*InputRead*'". bench-quick runs each
# benchmark once (a dry job) to check that they all run; its timings mean nothing.
BENCH_ARGS ?= --filter '*' --join
BENCH := $(DOTNET) run --project bench/Interplug.Benchmarks -c Release --

bench: build
	$(BENCH) $(BENCH_ARGS) --artifacts artifacts/bench

bench-quick: build
	$(BENCH) --filter '*' --join --quick --artifacts artifacts/bench-quick

# Issue 5's long runs; their short versions are part of `make test`.
FUZZ_ARGS ?= --runs 31250 --steps 32
fuzz: build
	$(DOTNET) tests/Interplug.Reliability/bin/$(CONFIG)/net10.0/Interplug.Reliability.dll fuzz $(FUZZ_ARGS)

SOAK_ARGS ?= --minutes 10 --threads 2
soak: build
	$(DOTNET) tests/Interplug.Reliability/bin/$(CONFIG)/net10.0/Interplug.Reliability.dll soak $(SOAK_ARGS)

clean:
	@$(MAKE) -C plugins clean
	rm -rf artifacts
	$(DOTNET) clean Interplug.slnx -v quiet -nologo
