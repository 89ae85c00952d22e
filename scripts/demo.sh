#!/usr/bin/env bash
# A fresh database with pareto_odoo and its demo data, served on 127.0.0.1.
set -euo pipefail
source "$(dirname "$0")/odoo_env.sh"
if [ "$ODOO_FOUND" != 1 ]; then
    echo "Cannot start the demo: $ODOO_MISSING_REASON." >&2
    exit 1
fi
ensure_postgresql
DB="${PARETO_DEMO_DB:-pareto_demo}"
PORT="${PARETO_DEMO_PORT:-8069}"
dropdb --if-exists "$DB"
echo "Creating database $DB with demo data (a few minutes)..."
odoo_run -d "$DB" -i pareto_odoo --with-demo --stop-after-init --log-level=warn
echo "Pareto demo: http://127.0.0.1:$PORT/odoo/purchase  (login: admin, password: admin). Ctrl-C stops it."
exec "$PYTHON" -m odoo --addons-path="$ODOO_ADDONS_PATH" --http-interface=127.0.0.1 \
    --http-port="$PORT" -d "$DB" --db-filter="^$DB\$" --log-level=warn
