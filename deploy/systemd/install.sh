#!/bin/sh
# Installs the roadrig agent as a systemd service. Run as root from a checkout:
#   sudo sh deploy/systemd/install.sh [RUNTIME_DIR]
# RUNTIME_DIR is a tree made by `deploy/docker/build-steps.sh runtime DIR`; without it the
# checkout is built first (Node 20, npm and a C++ toolchain needed). Safe to run again.
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
runtime=${1:-}
unit=/etc/systemd/system/roadrig-agent.service

if [ -z "$runtime" ]; then
  runtime=$(mktemp -d)/roadrig
  (cd "$repo" && sh deploy/docker/build-steps.sh build && sh deploy/docker/build-steps.sh runtime "$runtime")
fi
[ -f "$runtime/bin/roadrig.js" ] || { echo "install: no bin/roadrig.js in $runtime" >&2; exit 1; }

# The service user: no login, no home beyond its state directory.
if ! id roadrig >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/roadrig --no-create-home \
    --shell /usr/sbin/nologin roadrig
fi

# The new tree goes in beside the old one and replaces it in one rename.
rm -rf /opt/roadrig.new
cp -a "$runtime" /opt/roadrig.new
chown -R root:root /opt/roadrig.new
if [ -d /opt/roadrig ]; then rm -rf /opt/roadrig.old && mv /opt/roadrig /opt/roadrig.old; fi
mv /opt/roadrig.new /opt/roadrig

# Configuration: readable by the service's group, never by others (it names key files).
install -d -m 0750 -o root -g roadrig /etc/roadrig
if [ ! -f /etc/roadrig/agent.yaml ]; then
  install -m 0640 -o root -g roadrig /opt/roadrig/config/examples/tcu.yaml /etc/roadrig/agent.yaml
  echo "install: /etc/roadrig/agent.yaml is the TCU example: edit it, then start the service"
fi

install -m 0644 "$repo/deploy/systemd/roadrig-agent.service" "$unit"
systemctl daemon-reload
if node /opt/roadrig/bin/roadrig.js config check /etc/roadrig/agent.yaml; then
  echo "install: done. Start it with: systemctl enable --now roadrig-agent"
else
  echo "install: done, but fix /etc/roadrig/agent.yaml before starting the service" >&2
fi
