#!/bin/sh
# Builds the Greengrass component's artifact: a ZIP whose one top folder, roadrig-agent/, holds
# the runtime tree (dist, bin, production node_modules, the sample DBC and examples) and this
# folder's run.sh and agent.yaml. Run from the repository root, after `npm ci && npm run build`
# (or `deploy/docker/build-steps.sh build`):
#   sh deploy/greengrass/build-artifact.sh OUT.zip
# The native addons inside are built for this machine's CPU and glibc: build on (or for) the
# core device's platform.
set -eu
out=${1:?usage: build-artifact.sh OUT.zip}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
sh deploy/docker/build-steps.sh runtime "$stage/roadrig-agent"
mkdir -p "$stage/roadrig-agent/greengrass"
cp deploy/greengrass/run.sh deploy/greengrass/agent.yaml "$stage/roadrig-agent/greengrass/"
rm -f "$out"
(cd "$stage" && zip -q -r -y "$out" roadrig-agent)
echo "$out"
