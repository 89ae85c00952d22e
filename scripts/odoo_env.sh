# Shared by the test, demo and CI scripts: find Odoo 19 and its addons.
# Sourced, not run. Odoo is looked for in ODOO_PYTHON when set (it must then import
# Odoo 19), else in PYTHON (default python3). Sets PYTHON to that interpreter,
# ODOO_CORE_ADDONS, ODOO_ADDONS_PATH, and ODOO_FOUND=1 when usable (else
# ODOO_MISSING_REASON). PARETO_ADDON_SOURCE=checkout (default) puts this checkout on the
# addons path; PARETO_ADDON_SOURCE=installed uses the pareto_odoo installed in PYTHON's
# environment (from the wheel), with Odoo's core addons only on the addons path.
PYTHON="${PYTHON:-python3}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PARETO_ADDON_SOURCE="${PARETO_ADDON_SOURCE:-checkout}"
ODOO_FOUND=0
ODOO_MISSING_REASON=""

odoo19_importable() {
    "$1" -c "import odoo.release as r, sys; sys.exit(r.version_info[0] != 19)" 2>/dev/null
}

if [ -n "${ODOO_PYTHON:-}" ]; then
    if odoo19_importable "$ODOO_PYTHON"; then
        PYTHON="$ODOO_PYTHON"
    else
        ODOO_MISSING_REASON="ODOO_PYTHON=$ODOO_PYTHON does not import Odoo 19"
    fi
elif ! odoo19_importable "$PYTHON"; then
    ODOO_MISSING_REASON="Odoo 19 is not importable by $PYTHON (install Odoo 19 from source with 'pip install -e <odoo>', or set PYTHON or ODOO_PYTHON to the interpreter that has it)"
fi

if [ -z "$ODOO_MISSING_REASON" ]; then
    # Odoo's own addons sit beside the odoo package in a source install (odoo is a
    # namespace package: an installed addon wheel adds a site-packages/odoo to it).
    ODOO_CORE_ADDONS="${ODOO_ADDONS_PATH:-$("$PYTHON" -c "import odoo.release as r, os; print(os.path.join(os.path.dirname(os.path.dirname(r.__file__)), 'addons'))")}"
    if [ ! -f "${ODOO_CORE_ADDONS%%,*}/purchase/__manifest__.py" ]; then
        ODOO_MISSING_REASON="Odoo 19 is importable but its 'purchase' addon is not in $ODOO_CORE_ADDONS (set ODOO_ADDONS_PATH)"
    elif [ "$PARETO_ADDON_SOURCE" = installed ]; then
        ODOO_ADDONS_PATH="$ODOO_CORE_ADDONS"
        ODOO_FOUND=1
    else
        ODOO_ADDONS_PATH="$ODOO_CORE_ADDONS,$REPO_ROOT"
        ODOO_FOUND=1
    fi
fi

odoo_run() {
    "$PYTHON" -m odoo --addons-path="$ODOO_ADDONS_PATH" --http-interface=127.0.0.1 "$@"
}

# The directory of the pareto_odoo that Odoo will load: this checkout's, or the one
# installed in PYTHON's environment (which must then not be this checkout).
addon_dir() {
    if [ "$PARETO_ADDON_SOURCE" != installed ]; then
        echo "$REPO_ROOT/pareto_odoo"
        return
    fi
    local found
    found=$(cd / && "$PYTHON" -c "import importlib.util as u; s = u.find_spec('odoo.addons.pareto_odoo'); print(s.submodule_search_locations[0] if s else '')")
    if [ -z "$found" ] || [ "${found#"$REPO_ROOT"/}" != "$found" ]; then
        echo "pareto_odoo is not installed in $PYTHON's environment (found: '${found}')" >&2
        return 1
    fi
    echo "$found"
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
