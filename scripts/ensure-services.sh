#!/usr/bin/env bash
# Makes sure a MySQL-compatible server and Redis answer before tests or the demo run.
# Starts them when installed; otherwise installs Debian's mariadb-server and redis-server.
# With --browser (the test suite) also Debian's chromium, which the console's browser tests drive.
# Only local addresses are started or installed; a remote DATABASE_URL/REDIS_URL is just checked.
set -euo pipefail

db_url="${DATABASE_URL:-mysql://root@127.0.0.1:3306/premium_worker}"
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"

host_of() { local rest="${1#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; echo "${rest%%:*}"; }
port_of() { local rest="${1#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; [[ "$rest" == *:* ]] && echo "${rest##*:}" || echo "$2"; }
is_local() { [[ "$1" == 127.* || "$1" == localhost || "$1" == "::1" ]]; }
listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_for() {
  for _ in $(seq 1 60); do listening "$1" "$2" && return 0; sleep 0.5; done
  return 1
}
sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  if [[ $apt_updated -eq 0 ]]; then sudo_if_needed apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "$@" >/dev/null
}

ensure_mysql() {
  local host port
  host=$(host_of "$db_url"); port=$(port_of "$db_url" 3306)
  listening "$host" "$port" && return 0
  if ! is_local "$host"; then echo "database server $host:$port does not answer" >&2; return 1; fi
  if ! command -v mariadbd >/dev/null && ! command -v mysqld >/dev/null; then
    echo "installing mariadb-server ..." >&2
    apt_install mariadb-server
    local fresh=1
  fi
  echo "starting the database server ..." >&2
  sudo_if_needed mkdir -p /run/mysqld && sudo_if_needed chown mysql:mysql /run/mysqld 2>/dev/null || true
  if command -v mariadbd >/dev/null; then
    sudo_if_needed start-stop-daemon --start --oknodo --background --exec "$(command -v mariadbd)" -- --user=mysql
  else
    sudo_if_needed start-stop-daemon --start --oknodo --background --exec "$(command -v mysqld)" -- --user=mysql
  fi
  wait_for "$host" "$port" || { echo "database server did not start on $host:$port" >&2; return 1; }
  if [[ "${fresh:-0}" == 1 ]]; then
    # Debian's root logs in through the unix socket only; tests and the default URL use TCP with an
    # empty password, so allow that for the local root (development machines only).
    sudo_if_needed mariadb -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')" || true
  fi
}

ensure_redis() {
  local host port
  host=$(host_of "$redis_url"); port=$(port_of "$redis_url" 6379)
  if ! listening "$host" "$port"; then
    if ! is_local "$host"; then echo "Redis $host:$port does not answer" >&2; return 1; fi
    if ! command -v redis-server >/dev/null; then
      echo "installing redis-server ..." >&2
      apt_install redis-server
    fi
    echo "starting Redis ..." >&2
    redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --appendonly yes --maxmemory-policy noeviction \
      --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/premium-worker-redis.log" >/dev/null
    wait_for "$host" "$port" || { echo "Redis did not start on $host:$port" >&2; return 1; }
  fi
}

ensure_chromium() {
  [[ -x /usr/bin/chromium ]] && return 0
  echo "installing chromium (for the console's browser tests) ..." >&2
  apt_install chromium
}

ensure_mysql
ensure_redis
if [[ "${1:-}" == "--browser" ]]; then ensure_chromium; fi
# Checks login and Redis' eviction policy with the project's own clients.
node --import tsx "$(dirname "$0")/check-services.ts"
