#!/bin/sh
# The component's Install and Run steps (recipe.yaml):
#   run.sh check    validate the configuration, listing every problem
#   run.sh agent    run the agent until Greengrass stops it (SIGTERM)
# The recipe's Setenv gives the per-device values as ROADRIG_AGENT__* overrides of agent.yaml,
# read by the agent itself (an empty one counts as unset); this script sets none.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

config="$root/greengrass/agent.yaml"
case "${1:-}" in
  check) exec node "$root/bin/roadrig.js" config check "$config" ;;
  # V8 flags as in agent/telemetry/agentV8Flags.ts (a smaller young generation: less RSS).
  agent) exec node --max-semi-space-size=2 "$root/bin/roadrig.js" agent --config "$config" ;;
  *) echo "usage: run.sh check | agent" >&2; exit 2 ;;
esac
