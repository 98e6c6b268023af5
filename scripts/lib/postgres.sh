# Starts Debian's PostgreSQL cluster (installing it if needed) and makes sure the role and database
# the tests use exist. Prints the connection string. Idempotent.
ensure_postgres() {
  apt_install postgresql >&2
  local version cluster
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  cluster=$(pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v {print $2; exit}')
  if [ -z "$cluster" ]; then pg_createcluster "$version" main >&2; cluster=main; fi
  pg_ctlcluster "$version" "$cluster" start >&2 2>/dev/null || true
  local port
  port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c {print $3}')
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 1; done
  runuser -u postgres -- psql -q -p "$port" -tc "SELECT 1 FROM pg_roles WHERE rolname = 'evoact'" | grep -q 1 ||
    runuser -u postgres -- psql -q -p "$port" -c "CREATE ROLE evoact LOGIN PASSWORD 'evoact'" >&2
  runuser -u postgres -- psql -q -p "$port" -tc "SELECT 1 FROM pg_database WHERE datname = 'evoact'" | grep -q 1 ||
    runuser -u postgres -- psql -q -p "$port" -c "CREATE DATABASE evoact OWNER evoact" >&2
  echo "Host=127.0.0.1;Port=$port;Username=evoact;Password=evoact;Database=evoact"
}
