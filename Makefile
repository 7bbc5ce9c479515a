# A thin front door over CMake presets. The two commands of the quick start:
#   make demo   install missing dependencies, build, run `quarry demo`
#   make test   install missing dependencies, build, run every test (release + ASan/UBSan)
.PHONY: demo test deps build test-release test-asan install format clean

PREFIX ?= /usr/local

demo: build
	./build/release/tools/quarry/quarry demo

test: test-release test-asan

deps:
	@bash scripts/install-deps.sh

build: deps
	cmake --preset release
	cmake --build --preset release

test-release: build
	ctest --preset release

test-asan: deps
	cmake --preset asan
	cmake --build --preset asan
	ctest --preset asan

install: build
	cmake --install build/release --prefix $(PREFIX)

format:
	clang-format -i $$(git ls-files '*.c' '*.h' '*.cpp' '*.hpp')

clean:
	rm -rf build
