#!/usr/bin/env bash
# Addon tier: install pareto_odoo in fresh databases (without and with demo
# data), run its Odoo tests (tours included), then check that uninstalling it
# leaves purchase orders intact. Skipped, with one line, when Odoo 19 is absent.
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
"$PYTHON" -c "import websocket" 2>/dev/null || {
    echo "Addon tier needs the websocket-client Python package for its tours." >&2
    exit 1
}

PREFIX="${PARETO_TEST_DB_PREFIX:-pareto_test_$$}"
LOG_DIR="${PARETO_TEST_LOG_DIR:-$(mktemp -d)}"
TEST_TAGS="${PARETO_TEST_TAGS:-/pareto_odoo}"
total_passed=0
total_failed=0

# Odoo core lines that say nothing about this addon.
BENIGN='Running as user .root. is a security risk|odoo.modules.module: addons path is not a directory|^<string>:'

run_suite() {
    local label="$1"; shift
    local db="${PREFIX}_${label}"
    local log="$LOG_DIR/$label.log"
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    echo "== Odoo tests, $label: database $db, log $log"
    set +e
    odoo_run -d "$db" -i pareto_odoo "$@" --test-enable --test-tags "$TEST_TAGS" \
        --http-port="$(free_port)" --stop-after-init --log-level=test >"$log" 2>&1
    local rc=$?
    set -e
    local summary
    summary=$(grep -E "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$log" | tail -1 || true)
    local problems
    problems=$(grep -E " (WARNING|ERROR|CRITICAL) " "$log" | grep -Ev "$BENIGN" || true)
    if [ -z "$summary" ]; then
        echo "No test summary in the log (exit code $rc):"; tail -40 "$log"
        total_failed=$((total_failed + 1)); return
    fi
    echo "   $summary"
    local failed errors ran
    read -r failed errors ran < <(echo "$summary" | sed -E 's/.* ([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\1 \2 \3/')
    total_failed=$((total_failed + failed + errors))
    total_passed=$((total_passed + ran - failed - errors))
    local skipped
    skipped=$(grep -E "websocket-client module is not installed|chrome devtools port|Chrome headless connection|Chrome connection|chrome dev tools|Chrome executable not found" "$log" || true)
    if [ -n "$skipped" ]; then
        echo "   Browser tests were skipped:"; echo "$skipped" | head -3
        total_failed=$((total_failed + 1))
    fi
    if [ -n "$problems" ]; then
        echo "   Warnings or errors in the log:"; echo "$problems" | head -30
        total_failed=$((total_failed + 1))
    fi
    if [ "$rc" != 0 ]; then
        echo "   Odoo exited with code $rc"; total_failed=$((total_failed + 1))
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

run_suite nodemo
run_suite demo --with-demo
check_uninstall
if [ -z "${PARETO_KEEP_DB:-}" ]; then
    dropdb --if-exists "${PREFIX}_nodemo" >/dev/null 2>&1 || true
    dropdb --if-exists "${PREFIX}_demo" >/dev/null 2>&1 || true
fi
echo "odoo: $total_passed passed, $total_failed failed"
[ "$total_failed" = 0 ]
