# Thin wrapper over CMake/Ninja/CTest.  See README.md.
#   make run    install missing Debian packages, build Release, run the default scenario
#   make check  install missing packages, build Release + ASan/UBSan (+ fuzz target), run every test
#   make bench  build Release and run the benchmark (figures only, never fails on timing)
#   make validate  calibrate, validate, ensemble and hindcast; regenerate docs/MODEL_CARD.md's evaluation (< 1 h)
#   make fuzz   build and run the libFuzzer target for the scenario loader (FUZZ_SECONDS=60)

JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
SCENARIO    ?= scenarios/mexico-2012-2024.yaml
RUN_ARGS    ?=
FUZZ_SECONDS ?= 60

.PHONY: all deps build build-asan build-fuzz run check bench fuzz demand validate clean

all: build

deps:
	@sh tools/deps.sh

build: deps
	@cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j $(JOBS)

build-asan: deps
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCOR_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

build-fuzz: deps
	@cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
	  -DCOR_FUZZ=ON -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address -g" >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_scenario

run: build
	@./build/corredor run $(SCENARIO) -o out/default $(RUN_ARGS)

check: build build-asan build-fuzz
	@echo "== Release tests (build/) =="
	@cd build && ctest --output-on-failure -j $(JOBS)
	@echo "== AddressSanitizer + UBSan tests (build-asan/) =="
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

bench: build
	@./build/corredor_bench

# The corpus is a copy (libFuzzer writes new inputs into it); it runs from the
# fixtures folder so that base: and CSV paths in the seeds resolve.
fuzz: build-fuzz
	@mkdir -p build-fuzz/corpus build-fuzz/crashes && cp tests/data/scenario/*.yaml tests/data/engine/*.yaml build-fuzz/corpus/
	@cd tests/data/scenario && ../../../build-fuzz/fuzz_scenario -max_total_time=$(FUZZ_SECONDS) -max_len=16384 \
	  -artifact_prefix=../../../build-fuzz/crashes/ ../../../build-fuzz/corpus

validate: build
	@python3 tools/evaluate.py --bin build/corredor --threads $(JOBS)

demand: build
	@./build/corredor demand scenarios/corridor/derivation.yaml --data data

clean:
	rm -rf build build-asan build-fuzz out
