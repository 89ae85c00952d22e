#!/usr/bin/env bash
# Addon tier: install pareto_odoo in fresh databases (without and with demo data), run
# every test of its tests/ folder through pytest-odoo (browser tours included), then
# check that uninstalling it leaves purchase orders intact. The install logs and the
# tests' Odoo logs must be free of warnings and errors. Skipped, with one line, when
# Odoo 19 is absent.
#
# PARETO_ADDON_SOURCE=installed tests the pareto_odoo installed in PYTHON's environment
# (CI installs it from the wheel) instead of this checkout. PARETO_TEST_DB_PREFIX names
# the databases, PARETO_TEST_LOG_DIR keeps the logs, PARETO_KEEP_DB=1 keeps the
# databases, PARETO_PYTEST_ARGS adds pytest arguments (e.g. "-k compliance").
set -euo pipefail
source "$(dirname "$0")/odoo_env.sh"

if [ "$ODOO_FOUND" != 1 ]; then
    echo "Addon tier skipped: $ODOO_MISSING_REASON."
    exit 0
fi
ensure_postgresql
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null \
    && ! command -v google-chrome >/dev/null; then
    echo "Addon tier needs Chromium for its tours (Debian: apt-get install chromium)." >&2
    exit 1
fi
for module in websocket pytest_odoo; do
    "$PYTHON" -c "import $module" 2>/dev/null || {
        echo "Addon tier needs the Python module $module (pip install -r requirements-dev.txt)." >&2
        exit 1
    }
done
ADDON_DIR="$(addon_dir)"
echo "== pareto_odoo from $ADDON_DIR (addons path: $ODOO_ADDONS_PATH)"

PREFIX="${PARETO_TEST_DB_PREFIX:-pareto_test_$$}"
LOG_DIR="${PARETO_TEST_LOG_DIR:-$(mktemp -d)}"
mkdir -p "$LOG_DIR"
total_passed=0
total_failed=0

# Odoo core lines that say nothing about this addon.
BENIGN='Running as user .root. is a security risk|odoo.modules.module: addons path is not a directory'

log_problems() {
    grep -E " (WARNING|ERROR|CRITICAL) " "$@" | grep -Ev "$BENIGN" || true
}

# install_db LABEL [ODOO ARGS...]: a fresh database with pareto_odoo installed.
install_db() {
    local db="${PREFIX}_$1"; shift
    local log="$LOG_DIR/install_$db.log"
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    echo "== Install on $db $*"
    if ! odoo_run -d "$db" -i pareto_odoo "$@" --http-port="$(free_port)" --stop-after-init \
        --log-level=info >"$log" 2>&1; then
        echo "   install failed (log $log):"; tail -30 "$log"
        total_failed=$((total_failed + 1)); return 1
    fi
    local problems
    problems=$(log_problems "$log")
    if [ -n "$problems" ]; then
        echo "   Warnings or errors in the install log $log:"; echo "$problems" | head -30
        total_failed=$((total_failed + 1))
    fi
}

# run_tests LABEL: every test of the addon's tests/ folder, through pytest-odoo.
run_tests() {
    local db="${PREFIX}_$1"
    local log="$LOG_DIR/tests_$db.log" junit="$LOG_DIR/tests_$db.xml"
    echo "== Tests on $db (pytest-odoo; Odoo log $log)"
    set +e
    # Run from / so that nothing of this checkout is importable by accident; pytest's
    # warnings plugin is off so that Odoo's own warning filters and log apply, as under
    # Odoo's runner.
    (cd / && "$PYTHON" -m pytest -p no:cacheprovider -p no:warnings -q -rfEs \
        --odoo-database="$db" --odoo-addons-path="$ODOO_ADDONS_PATH" --odoo-http \
        --odoo-log-level=info --odoo-extra=http-interface=127.0.0.1 \
        --odoo-extra=logfile="$log" --junitxml="$junit" ${PARETO_PYTEST_ARGS:-} \
        "$ADDON_DIR/tests")
    local rc=$?
    set -e
    if [ ! -f "$junit" ]; then
        echo "   pytest wrote no report (exit code $rc)"; total_failed=$((total_failed + 1)); return
    fi
    local counts
    counts=$("$PYTHON" "$REPO_ROOT/scripts/junit_counts.py" "$junit")
    local ran failed skipped browser_skips
    read -r ran failed skipped browser_skips <<<"$counts"
    total_passed=$((total_passed + ran - failed - skipped))
    total_failed=$((total_failed + failed))
    if [ "$ran" = 0 ]; then
        echo "   no test ran"; total_failed=$((total_failed + 1))
    fi
    if [ "$browser_skips" != 0 ]; then
        echo "   $browser_skips browser tests were skipped (Chromium or websocket-client missing?)"
        total_failed=$((total_failed + 1))
    fi
    local problems
    problems=$(log_problems "$log")
    if [ -n "$problems" ]; then
        echo "   Warnings or errors in the Odoo log $log:"; echo "$problems" | head -30
        total_failed=$((total_failed + 1))
    fi
    if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
        echo "   pytest exited with code $rc"; total_failed=$((total_failed + 1))
    fi
}

check_uninstall() {
    local db="${PREFIX}_demo"
    echo "== Uninstall on $db: orders and bills intact, no error, nothing of the addon left"
    local sums="SELECT (SELECT count(*) || '|' || coalesce(sum(amount_total), 0) FROM purchase_order)
        || ' ' || (SELECT count(*) || '|' || coalesce(sum(price_subtotal), 0) FROM purchase_order_line)
        || ' ' || (SELECT count(*) || '|' || coalesce(sum(amount_total), 0) FROM account_move
                   WHERE move_type IN ('in_invoice', 'in_refund'))"
    local before after
    before=$(psql -d "$db" -Atc "$sums")
    if ! "$PYTHON" -m odoo --addons-path="$ODOO_ADDONS_PATH" module uninstall -d "$db" pareto_odoo \
        >"$LOG_DIR/uninstall.log" 2>&1; then
        echo "   uninstall failed:"; tail -20 "$LOG_DIR/uninstall.log"; total_failed=$((total_failed + 1)); return
    fi
    after=$(psql -d "$db" -Atc "$sums")
    state=$(psql -d "$db" -Atc "SELECT state FROM ir_module_module WHERE name = 'pareto_odoo'")
    leftover=$(psql -d "$db" -Atc "SELECT count(*) FROM information_schema.columns WHERE column_name LIKE 'pareto\_%'")
    xmlids=$(psql -d "$db" -Atc "SELECT count(*) FROM ir_model_data WHERE module = 'pareto_odoo'")
    errors=$(grep -cE " (ERROR|CRITICAL) " "$LOG_DIR/uninstall.log" || true)
    if [ "$before" = "$after" ] && [ "$state" = uninstalled ] && [ "$leftover" = 0 ] \
        && [ "$xmlids" = 0 ] && [ "$errors" = 0 ] && [ "${before%%|*}" -gt 0 ]; then
        echo "   orders, lines, bills (count|total) $before -> $after; module $state, no pareto column, no external ID, no error"
        total_passed=$((total_passed + 1))
    else
        echo "   FAILED: $before -> $after; module $state, $leftover pareto columns, $xmlids external IDs of the addon left, $errors error lines"
        grep -E " (ERROR|CRITICAL) " "$LOG_DIR/uninstall.log" | head -5
        total_failed=$((total_failed + 1))
    fi
}

if install_db nodemo; then run_tests nodemo; fi
if install_db demo --with-demo; then
    run_tests demo
    check_uninstall
fi
if [ -z "${PARETO_KEEP_DB:-}" ]; then
    dropdb --if-exists "${PREFIX}_nodemo" >/dev/null 2>&1 || true
    dropdb --if-exists "${PREFIX}_demo" >/dev/null 2>&1 || true
fi
echo "odoo: $total_passed passed, $total_failed failed"
[ "$total_failed" = 0 ]
