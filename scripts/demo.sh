#!/usr/bin/env bash
# A fresh French database with Odoo's and Pareto's demo data, served on 127.0.0.1.
#   PARETO_DEMO_DB (pareto_demo), PARETO_DEMO_PORT (8069),
#   PARETO_DEMO_LANG (fr_FR; en_US for an English interface on the same French company).
set -euo pipefail
source "$(dirname "$0")/odoo_env.sh"
if [ "$ODOO_FOUND" != 1 ]; then
    echo "Cannot start the demo: $ODOO_MISSING_REASON." >&2
    exit 1
fi
# A French company makes Odoo install its French localisation, whose e-invoicing
# part (account_peppol, auto-installed) needs the phonenumbers package, which is
# not among Odoo's own requirements.
if ! "$PYTHON" -c "import phonenumbers" 2>/dev/null; then
    echo "Cannot start the demo: a French database needs the Python package 'phonenumbers'" \
        "(Odoo's French localisation installs account_peppol, which imports it):" \
        "$PYTHON -m pip install phonenumbers" >&2
    exit 1
fi
ensure_postgresql
DB="${PARETO_DEMO_DB:-pareto_demo}"
PORT="${PARETO_DEMO_PORT:-8069}"
DEMO_LANG="${PARETO_DEMO_LANG:-fr_FR}"
echo "Creating database $DB (France, $DEMO_LANG) with demo data (several minutes)..."
LOG="$(mktemp -t pareto_demo.XXXXXX.log)"
if ! "$PYTHON" -m odoo --addons-path="$ODOO_ADDONS_PATH" db init "$DB" --force --with-demo \
    --country FR --language "$DEMO_LANG" >"$LOG" 2>&1; then
    tail -20 "$LOG" >&2
    echo "Cannot create the demo database (log: $LOG)." >&2
    exit 1
fi
# Odoo's demo keeps its main company on the generic chart in dollars; its French
# localisation adds "FR Company" (euros, French chart), where Pareto's demo lands.
odoo_run -d "$DB" -i pareto_odoo --with-demo --stop-after-init --log-level=warn
echo "Pareto demo: http://127.0.0.1:$PORT/odoo/purchase  (login: admin, password: admin). Ctrl-C stops it."
exec "$PYTHON" -m odoo --addons-path="$ODOO_ADDONS_PATH" --http-interface=127.0.0.1 \
    --http-port="$PORT" -d "$DB" --db-filter="^$DB\$" --log-level=warn
