#!/usr/bin/env bash
# The Rust crates' tests (cargo test: quarry-sys against the headers, the safe crate,
# its doc example) and examples/example.rs, built against an installed copy of the build
# tree found through pkg-config, as a user's build would find libquarry-dev. Offline:
# the crates have no crates.io dependencies. Without cargo the test is skipped (77).
# Usage: run.sh <build dir> <source dir> <scratch dir>
set -euo pipefail
build=$1 src=$2 scratch=$3
command -v cargo >/dev/null || { echo "skipped: no cargo (apt-get install cargo)"; exit 77; }

mkdir -p "$scratch" && rm -rf "$scratch/prefix"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
pc=$(find "$scratch/prefix" -name quarry.pc -print -quit)
export PKG_CONFIG_PATH=$(dirname "$pc")
export LD_LIBRARY_PATH=$(pkg-config --variable=libdir quarry)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export CARGO_TARGET_DIR=$scratch/target CARGO_HOME=$scratch/cargo-home
unset QUARRY_LIB_DIR

cd "$src/bindings/rust"
cargo --version
cargo test --offline --quiet
cargo run --offline --quiet --release --example example
echo "rust binding: quarry-sys and quarry tests, the doc example and examples/example.rs pass"
