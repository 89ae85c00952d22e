"""odoo-bin for the load benchmark's multi-worker server (bench_load.py).

    python3 bench/odoo_server.py --workers 4 -d DB ...    (same options as odoo-bin)

The same as ``odoo-bin``, with one fix for environments where gevent cannot
start: the multi-worker server runs its gevent (websocket) process as
``sys.executable sys.argv[0] gevent ...``, and gevent loads its plugins
through ``pkg_resources``, which checks gevent's requirements first. An old
``pkg_resources`` (setuptools 65) does not find a ``zope.interface``
installed with a normalised ``zope_interface-*.dist-info`` name, so the
gevent process dies at start and the server starts it again, over and over,
for the whole run. When that requirement check fails although
``zope.interface`` imports, the plugins are loaded without it. Nothing else
changes.
"""

import sys


def load_gevent_plugins_without_requirement_check():
    import gevent.events  # noqa: PLC0415
    import pkg_resources  # noqa: PLC0415
    import zope.interface  # noqa: F401, PLC0415  (importable: the check is what fails)

    try:
        pkg_resources.require("zope.interface")
    except pkg_resources.DistributionNotFound:
        pass
    else:
        return
    iter_entry_points = gevent.events.iter_entry_points

    def entry_points(group, name=None):
        for entry_point in iter_entry_points(group, name):
            entry_point.require = lambda *args, **kwargs: None
            yield entry_point

    gevent.events.iter_entry_points = entry_points


if __name__ == "__main__":
    if sys.argv[1:2] == ["gevent"]:
        load_gevent_plugins_without_requirement_check()
    import odoo.cli

    odoo.cli.main()
