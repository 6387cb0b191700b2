#!/usr/bin/env bash
# Installs promtool, which checks and unit-tests the Prometheus alert rules
# (infra/k8s/components/monitoring; infra/k8s/monitoring.test.ts), as /usr/local/bin/promtool.
#
# Debian ships promtool only inside the `prometheus` package, whose installation also starts
# Prometheus and a node exporter listening on every interface. So the package is never installed:
# its .deb is downloaded and only the promtool binary is taken out of it. Nothing runs, nothing
# listens. Idempotent; called by infra/setup.sh.
set -euo pipefail

command -v promtool >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "MicroTick's alert-rule tests need promtool. As root, run: bash infra/install-promtool.sh" >&2
  exit 1
fi
printf '[infra] %s\n' "installing promtool (from Debian's prometheus .deb, without installing the package)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq prometheus >/dev/null 2>&1) || { apt-get update -qq && (cd "$work" && apt-get download -qq prometheus >/dev/null); }
dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
install -m 0755 "$work/root/usr/bin/promtool" /usr/local/bin/promtool
promtool --version >/dev/null
