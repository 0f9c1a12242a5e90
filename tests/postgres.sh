# A throw-away PostgreSQL cluster for the storage tests, sourced by tests/run.sh (and .ci/run for find_postgres_bin).
#
#   find_postgres_bin           prints the directory of initdb/pg_ctl (PATH first, then /usr/lib/postgresql/*/bin,
#                               newest version first); fails when there is none
#   start_test_postgres         initdb in a new temp dir, start on 127.0.0.1:<free port> (unix socket in the temp dir
#                               too), export ORLEANSNSQ_TEST_POSTGRES; stop_test_postgres removes it again
#
# The cluster has one superuser, nsq_test, with a random password (scram-sha-256 on TCP), so the tests can also check a
# wrong password. initdb and pg_ctl refuse to run as root: as root they run as the `postgres` user (created when
# missing). Every command's output goes to the cluster's log file, never to the test run's last line.

find_postgres_bin() {
  local initdb_path dir
  if initdb_path="$(command -v initdb 2>/dev/null)"; then
    dir="$(dirname "$(readlink -f "$initdb_path")")"
    if [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
      echo "$dir"
      return 0
    fi
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# Runs a PostgreSQL program as the cluster's owner: ourselves, or `postgres` when we are root.
_pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$_pg_owner" -- "$@"
  else
    "$@"
  fi
}

start_test_postgres() {
  local bin port password
  bin="$(find_postgres_bin)" || { echo "tests/postgres.sh: no initdb found (install Debian's postgresql)" >&2; return 1; }
  _pg_bin="$bin"
  _pg_owner="$(id -un)"
  if [ "$(id -u)" = 0 ]; then
    _pg_owner=postgres
    if ! id -u "$_pg_owner" >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$_pg_owner" || return 1
    fi
  fi
  _pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/orleansnsq-pg.XXXXXX")"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  printf '%s\n' "$password" >"$_pg_dir/pwfile"
  if [ "$(id -u)" = 0 ]; then chown -R "$_pg_owner" "$_pg_dir"; fi
  chmod 700 "$_pg_dir"

  # --no-sync: the cluster is thrown away, initdb need not flush its template files. The server itself keeps fsync
  # and synchronous_commit on, as production does. max_connections: test classes run in parallel, each with a pool.
  if ! _pg_as_owner "$bin/initdb" -D "$_pg_dir/data" -U nsq_test --pwfile="$_pg_dir/pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale --no-sync >"$_pg_dir/initdb.log" 2>&1; then
    echo "tests/postgres.sh: initdb failed:" >&2
    cat "$_pg_dir/initdb.log" >&2
    return 1
  fi
  rm -f "$_pg_dir/pwfile"
  if ! _pg_as_owner "$bin/pg_ctl" -D "$_pg_dir/data" -l "$_pg_dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $_pg_dir -c max_connections=300" start >"$_pg_dir/pg_ctl.log" 2>&1; then
    echo "tests/postgres.sh: pg_ctl start failed:" >&2
    cat "$_pg_dir/pg_ctl.log" "$_pg_dir/server.log" >&2 2>/dev/null
    return 1
  fi
  export ORLEANSNSQ_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=nsq_test;Password=$password;Database=postgres"
  echo "tests/postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $_pg_dir)"
}

stop_test_postgres() {
  if [ -n "${_pg_dir:-}" ] && [ -d "$_pg_dir" ]; then
    _pg_as_owner "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$_pg_dir"
  fi
  _pg_dir=""
}
