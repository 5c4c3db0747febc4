#!/usr/bin/env bash
# Downloads (here, on the Debian machine) the .deb files that bench/device_check.sh
# needs on a GPU machine that has a pip PyTorch but no Debian packages and no
# network: the libraries lengen links besides LibTorch, and Catch2 for the tests.
# They land in build-device-debs/ (ignored by git); carry that folder along.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build-device-debs}
PACKAGES="libsentencepiece-dev libsentencepiece0 libcli11-dev libfmt-dev libfmt9 \
  nlohmann-json3-dev catch2 libtcmalloc-minimal4"
mkdir -p "$OUT"
(cd "$OUT" && apt-get download $PACKAGES)
# The held-out Austen cache (the GPU machine has none of the corpus packages).
make -s build/data/caches/austen.tok && cp build/data/caches/austen.tok "$OUT/"
ls -l "$OUT"
