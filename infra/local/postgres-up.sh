#!/usr/bin/env bash
# Starts the machine's PostgreSQL 15 cluster and creates the taifa role and databases, idempotently.
# Prints nothing on success except what pg_ctlcluster says; safe to run any number of times.
set -euo pipefail

PG_VERSION="${PG_VERSION:-15}"
PG_ROLE="${TAIFA_PG_ROLE:-taifa}"
PG_PASSWORD="${TAIFA_PG_PASSWORD:-taifa}"
PG_DATABASES="${TAIFA_PG_DATABASES:-taifa taifa_test}"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sudo -u postgres sh -c "$*"; fi
}

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "postgres-up: installing postgresql-$PG_VERSION" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$PG_VERSION" >/dev/null
fi

# pg_ctlcluster exits 2 when the cluster is already running.
set +e
pg_ctlcluster "$PG_VERSION" main start 2>/dev/null
rc=$?
set -e
if [ "$rc" != 0 ] && [ "$rc" != 2 ]; then
  echo "postgres-up: pg_ctlcluster $PG_VERSION main start failed ($rc)" >&2
  exit "$rc"
fi

wait_ready() {
  for _ in $(seq 1 50); do
    as_postgres "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
    sleep 0.2
  done
}
wait_ready

# The suite runs many gateways at once, each with its own pools (Orleans, grain storage, ledger, inbound): the default
# 100 connections run out. Raised once, with a restart, only when lower.
PG_MAX_CONNECTIONS="${TAIFA_PG_MAX_CONNECTIONS:-400}"
if [ "$(as_postgres "psql -qAtc 'show max_connections'")" -lt "$PG_MAX_CONNECTIONS" ]; then
  as_postgres "psql -qAtc 'ALTER SYSTEM SET max_connections = $PG_MAX_CONNECTIONS'" >/dev/null
  pg_ctlcluster "$PG_VERSION" main restart
  wait_ready
fi

as_postgres "psql -v ON_ERROR_STOP=1 -qAt" <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
    CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
END
\$\$;
-- DROP DATABASE ... WITH (FORCE) in the tests terminates every backend on the database, an autovacuum worker's too,
-- which only a member of pg_signal_backend may do.
GRANT pg_signal_backend TO $PG_ROLE;
SQL

for db in $PG_DATABASES; do
  if [ -z "$(as_postgres "psql -qAtc \"select 1 from pg_database where datname = '$db'\"")" ]; then
    as_postgres "createdb -O $PG_ROLE $db"
  fi
done
