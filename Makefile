# Interplug: the two commands a new user needs are `make run` and `make test`.
# Both start with `make build`, which restores, builds the plugins and the host, and
# publishes the CLI that ./interplug runs.

DOTNET ?= dotnet
CONFIG ?= Release
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: build plugins host run run-fanout run-cluster test pack bench bench-quick bench-build clean fuzz soak

build: plugins host

plugins:
	@$(MAKE) -C plugins

host:
	@$(DOTNET) build Interplug.slnx -c $(CONFIG) -v quiet -nologo -clp:NoSummary
	@$(DOTNET) publish src/Interplug.Cli -c $(CONFIG) -o artifacts/cli -v quiet -nologo -clp:NoSummary

# The seed demo: plugin `run` registers count_vowels through the host and calls it; then the
# variant `run_import`, which imports count_vowels (checked before it runs; see `interplug inspect`).
run: build
	./interplug run run --plugins plugins/dist --trace
	@echo
	./interplug run run_import --plugins plugins/dist --trace
	@echo

# Fan-out: plugin `fanout` splits its input among four count_vowels children that run at the
# same time (call_plugin_async, await_any, await_call) and merges their counts; --trace marks
# the calls that overlapped with ∥.
run-fanout: build
	./interplug run fanout --plugins plugins/dist --trace --input "Hello, World! Four children count the vowels of this text at the same time."
	@echo

# The seed demo across two silo processes that find each other through a private redis-server
# (installed with apt-get where missing), all on loopback; --trace names the silo of every hop.
# scripts/run-cluster.sh stops everything it started, even when the demo fails.
CLUSTER_POLICY ?= scripts/cluster/policy.json

run-cluster: build
	scripts/run-cluster.sh $(CLUSTER_POLICY)

test: build
	$(DOTNET) test Interplug.slnx -c $(CONFIG) --no-build -v quiet -nologo

# NuGet packages into artifacts/packages: Interplug.Runtime and Interplug.Host (with symbols,
# .snupkg) and the CLI as the .NET tool `interplug`
# (dotnet tool install --global --add-source artifacts/packages interplug).
pack: build
	@$(DOTNET) pack Interplug.slnx -c $(CONFIG) --no-build -v quiet -nologo -clp:NoSummary

# Benchmarks (see docs/benchmarks.md). `make bench` runs, in one run on the same plugins:
# BenchmarkDotNet in Release (every benchmark, BENCH_ARGS overrides the arguments, e.g.
# make bench BENCH_ARGS="--filter '*InputRead*' --join"), Interplug's capacity run (live idle
# instances), and the same workloads on the official Extism JS SDK under Node (bench/peer); then it
# prints the side-by-side table with targets (bench/report). Results: artifacts/bench/.
# `make bench-quick` (for CI) runs every workload once, tiny counts, no timing judged: it only
# checks that everything runs on both hosts. Results: artifacts/bench-quick/.
PEER_STAMP := bench/peer/node_modules/.package-lock.json

bench: bench-build
	BENCH_ARGS="$(BENCH_ARGS)" bench/side-by-side.sh full

bench-quick: bench-build
	bench/side-by-side.sh quick

# Only what the benchmarks run: the plugins, the benchmark project (with the runtime and host it
# references) and the JS SDK; not the tests nor the CLI, which keeps bench-quick short on a fresh clone.
bench-build: plugins $(PEER_STAMP)
	@$(DOTNET) build bench/Interplug.Benchmarks -c Release -v quiet -nologo -clp:NoSummary

# The JS SDK, pinned exactly in bench/peer/package.json and package-lock.json.
$(PEER_STAMP): bench/peer/package.json bench/peer/package-lock.json
	cd bench/peer && npm ci --silent --no-audit --no-fund
	@touch $@

clean:
	@$(MAKE) -C plugins clean
	rm -rf artifacts
	$(DOTNET) clean Interplug.slnx -v quiet -nologo
