#!/bin/sh
# The image's build steps, one script for the Dockerfile and for CI (which has no Docker engine):
#   build-steps.sh build          in the source tree: install every dependency (native addons
#                                 compiled here, with the toolchain) and compile TypeScript
#   build-steps.sh runtime DIR    copy what the agent and the replayer need at run time into
#                                 DIR: dist, bin, the sample DBC and examples, production
#                                 node_modules (the addons already built), package.json
# Run from the repository root.
set -eu

step=${1:-}

build() {
  npm ci --no-audit --no-fund
  npm run build
}

runtime() {
  out=$1
  [ -f dist/cli/main.js ] || { echo "build-steps: dist/ is missing; run 'build' first" >&2; exit 1; }
  mkdir -p "$out"
  cp -a package.json package-lock.json bin "$out/"
  cp -a dist "$out/dist"
  rm -rf "$out/dist/bench" "$out/dist/test"
  mkdir -p "$out/config"
  cp -a config/dbc config/examples "$out/config/"
  production_modules "$out"
  # librdkafka's sources and objects: the addon loads the shared library from build/deps.
  rm -rf "$out/node_modules/node-rdkafka/deps" \
    "$out/node_modules/node-rdkafka/build/Release/obj.target" \
    "$out/node_modules/node-rdkafka/build/deps/obj.target"
  find "$out/node_modules" \( -name '*.o' -o -name '*.a' \) -type f -delete
}

# The installed production packages, addons built, copied as they are: `npm prune` would
# re-extract a package whose files differ from its tarball (a built addon does) and lose the
# build. Hard links when the output is on the same file system: instant, no extra space.
production_modules() {
  out=$1
  list=$(npm ls --omit=dev --all --parseable 2>/dev/null || true)
  echo "$list" | sed -n "s|^$PWD/||p" | grep '^node_modules/' | sort | while read -r rel; do
    [ -e "$out/$rel" ] && continue
    mkdir -p "$out/$(dirname "$rel")"
    cp -al "$rel" "$out/$rel" 2>/dev/null || cp -a "$rel" "$out/$rel"
  done
  [ -f "$out/node_modules/pino/package.json" ] || {
    echo "build-steps: production node_modules incomplete (npm ls found no pino)" >&2
    exit 1
  }
}

case "$step" in
  build) build ;;
  runtime) [ $# -eq 2 ] || { echo "usage: build-steps.sh runtime DIR" >&2; exit 2; }; runtime "$2" ;;
  *) echo "usage: build-steps.sh build | runtime DIR" >&2; exit 2 ;;
esac
