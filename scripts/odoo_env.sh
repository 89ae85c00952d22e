# Shared by the test and demo scripts: find Odoo 19 and its addons.
# Sourced, not run. Sets PYTHON, ODOO_ADDONS_PATH; ODOO_FOUND=1 when usable.
PYTHON="${PYTHON:-python3}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_FOUND=0
ODOO_MISSING_REASON=""
if ! "$PYTHON" -c "import odoo.release as r, sys; sys.exit(r.version_info[0] != 19)" 2>/dev/null; then
    ODOO_MISSING_REASON="Odoo 19 is not importable by $PYTHON (install Odoo 19 from source with 'pip install -e <odoo>' or set PYTHON to the interpreter that has it)"
else
    # Odoo's own addons sit beside the odoo package in a source install.
    CORE_ADDONS="$("$PYTHON" -c "import odoo, os; print(os.path.join(os.path.dirname(odoo.__path__[0]), 'addons'))")"
    ODOO_ADDONS_PATH="${ODOO_ADDONS_PATH:-$CORE_ADDONS}"
    if [ ! -f "${ODOO_ADDONS_PATH%%,*}/purchase/__manifest__.py" ]; then
        ODOO_MISSING_REASON="Odoo 19 is importable but its 'purchase' addon is not in $ODOO_ADDONS_PATH (set ODOO_ADDONS_PATH)"
    else
        ODOO_ADDONS_PATH="$ODOO_ADDONS_PATH,$REPO_ROOT"
        ODOO_FOUND=1
    fi
fi

odoo_run() {
    "$PYTHON" -m odoo --addons-path="$ODOO_ADDONS_PATH" --http-interface=127.0.0.1 "$@"
}

ensure_postgresql() {
    if command -v pg_isready >/dev/null && ! pg_isready -q; then
        if command -v pg_ctlcluster >/dev/null; then
            pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -1)" main start || true
        fi
    fi
    if ! psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
        echo "PostgreSQL is not reachable for user $(id -un) (start it, or set PGHOST/PGUSER)." >&2
        return 1
    fi
}

free_port() {
    "$PYTHON" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()"
}
