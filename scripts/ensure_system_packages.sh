#!/usr/bin/env bash
# Install the Debian packages the tests need, when they are missing. Quiet when all are present.
# Installs only as root; otherwise prints the command to run and fails.
set -euo pipefail

# One entry per package: "<Debian package> <probe>"; the probe is a shell command that
# succeeds when the package is installed. Add a line per new need, e.g.
#   "chromium          command -v chromium"
#   "chromium-driver   command -v chromedriver"
REQUIRED=(
  "postgresql        ls /usr/lib/postgresql/*/bin/initdb"
  "iproute2          command -v ip"
  "chromium          command -v chromium"
  "coturn            command -v turnserver"
  # the several-nodes topology (make cluster, tests/deploy): Redis, and nginx in front over TLS
  "redis-server      command -v redis-server"
  "nginx             test -x /usr/sbin/nginx"
  # systemd-analyze verifies deploy/'s units (tests/deploy); nothing here runs systemd itself
  "systemd           command -v systemd-analyze"
  # Pashto's and Urdu's own letters (ځ ڼ ښ ټ ۍ ...) for the right-to-left screenshots: DejaVu,
  # Chromium's only other font here, draws boxes for them.
  "fonts-noto-ui-core fc-list :lang=ps | grep -q ."
)

missing_packages() {
  local entry package probe
  for entry in "${REQUIRED[@]}"; do
    package=${entry%% *}
    probe=${entry#"$package"}
    if ! eval "$probe" >/dev/null 2>&1; then
      echo "$package"
    fi
  done
}

mapfile -t missing < <(missing_packages)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

install_command="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages for the tests: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get update && sudo $install_command" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages for the tests: ${missing[*]} (and no apt-get to install them)" >&2
  exit 1
fi

echo "Installing system packages for the tests: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
$install_command

# The tests and `make cluster` start their own turnserver, redis-server and nginx on free loopback
# ports; Debian's packages enable system-wide ones (3478, 6379, 80), which nothing here needs:
# disable them and stop them if they were started.
for service in coturn redis-server nginx; do
  if [[ " ${missing[*]} " == *" $service "* ]]; then
    if command -v systemctl >/dev/null 2>&1; then
      systemctl disable "$service" >/dev/null 2>&1 || true
    fi
    if [ -d /run/systemd/system ]; then
      systemctl stop "$service" >/dev/null 2>&1 || true
    elif command -v service >/dev/null 2>&1; then
      service "$service" stop >/dev/null 2>&1 || true
    fi
  fi
done

mapfile -t still_missing < <(missing_packages)
if [ "${#still_missing[@]}" -ne 0 ]; then
  echo "Still missing after installation: ${still_missing[*]}" >&2
  exit 1
fi
