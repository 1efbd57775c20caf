#!/usr/bin/env bash
# What `npm run test:ha` needs besides the usual services: Galera's provider library and rsync for
# state transfers (redis-server, which also runs the Sentinels, comes with the usual set-up).
set -euo pipefail
missing=()
[[ -f /usr/lib/galera/libgalera_smm.so ]] || missing+=(galera-4)
command -v rsync >/dev/null || missing+=(rsync)
command -v mariadbd >/dev/null || missing+=(mariadb-server)
command -v redis-server >/dev/null || missing+=(redis-server)
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
  echo "installing ${missing[*]} ..." >&2
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "${missing[@]}" >/dev/null
fi
