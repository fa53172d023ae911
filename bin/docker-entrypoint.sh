#!/bin/sh
# The container's entry point: `docker run roadrig agent ...`, `docker run roadrig replay ...`.
# Only the agent runs with its V8 flags (agent/telemetry/agentV8Flags.ts): their 2 MB young
# generation would halve an unpaced replay's speed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

# The command's name, found as the CLI finds it (cli/commands.ts): global options that take
# a value are skipped with their value.
command=
skip=
for arg in "$@"; do
  if [ -n "$skip" ]; then skip=; continue; fi
  case "$arg" in
    --log-level|--log-format) skip=1 ;;
    -*) ;;
    *) command=$arg; break ;;
  esac
done

case "$command" in
  agent) exec node --max-semi-space-size=2 "$root/bin/roadrig.js" "$@" ;;
  *) exec node "$root/bin/roadrig.js" "$@" ;;
esac
