#!/bin/sh
# The component's Install and Run steps (recipe.yaml):
#   run.sh check    validate the configuration, listing every problem
#   run.sh agent    run the agent until Greengrass stops it (SIGTERM)
# The recipe's Setenv gives the per-device values as ROADRIG_AGENT__* overrides of agent.yaml.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

# An empty component setting means "not set": the base file's value or the built-in default.
for name in ROADRIG_AGENT__MQTT__CA ROADRIG_AGENT__SHADOW_NAME; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || unset "$name"
done
if [ -n "${ROADRIG_DBC:-}" ]; then export ROADRIG_AGENT__DBC="$ROADRIG_DBC"; fi
unset ROADRIG_DBC

config="$root/greengrass/agent.yaml"
case "${1:-}" in
  check) exec node "$root/bin/roadrig.js" config check "$config" ;;
  agent) exec node "$root/bin/roadrig.js" agent --config "$config" ;;
  *) echo "usage: run.sh check | agent" >&2; exit 2 ;;
esac
