"""Screenshots of Pareto for the README, taken in headless Chromium.

    python3 scripts/screenshots.py --url http://127.0.0.1:8069 --db pareto_demo --out docs/

Logs in as the demo administrator, then drives Chromium over the DevTools
protocol (websocket-client) to capture the compliance widget and suggestions on
a demo RFQ, and the compliance dashboard. Needs a running demo server
(`make demo`: a French database, so the screenshots are in French; the
administrator's current company is the demo's French company).
"""

import argparse
import base64
import json
import os
import subprocess
import tempfile
import time

import requests
import websocket


def login(url, db, user, password):
    session = requests.Session()
    response = session.post(
        f"{url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": db, "login": user, "password": password}},
        timeout=30,
    )
    response.raise_for_status()
    return session.cookies.get("session_id")


def rpc(session_id, url, model, method, args, kwargs=None):
    response = requests.post(
        f"{url}/web/dataset/call_kw",
        json={
            "jsonrpc": "2.0",
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        },
        cookies={"session_id": session_id},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["result"]


class Browser:
    def __init__(self, width=1400, height=1000):
        self.profile = tempfile.TemporaryDirectory()
        self.process = subprocess.Popen(
            [
                "chromium",
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--window-size={width},{height}",
                f"--user-data-dir={self.profile.name}",
                "--remote-debugging-port=9333",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            try:
                targets = requests.get("http://127.0.0.1:9333/json", timeout=2).json()
                page = next(t for t in targets if t["type"] == "page")
                break
            except (requests.ConnectionError, StopIteration):
                time.sleep(0.2)
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def shot(self, address, path, selector, timeout=180.0):
        """Open the page, wait until `selector` is shown and nothing is loading
        any more (a busy server takes its time), then capture it."""
        self.call("Page.navigate", url=address)
        check = (
            f"!!document.querySelector({json.dumps(selector)})"
            " && !document.querySelector('.o_loading_indicator, .o_blockUI')"
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = self.call("Runtime.evaluate", expression=check, returnByValue=True)
            if result.get("result", {}).get("value"):
                break
            time.sleep(1)
        else:
            raise TimeoutError(f"{selector} not shown on {address} after {timeout:.0f} s")
        time.sleep(3)  # let the widgets finish their requests and drawing
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as image:
            image.write(base64.b64decode(data))

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait()
        self.profile.cleanup()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="pareto_demo")
    parser.add_argument("--out", default="docs")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    session_id = login(args.url, args.db, "admin", "admin")
    rfq_ids = rpc(
        session_id,
        args.url,
        "purchase.order",
        "search",
        [[("state", "=", "draft"), ("pareto_status", "=", "below")]],
        {"limit": 1},
    )
    browser = Browser()
    try:
        browser.call("Network.enable")
        browser.call(
            "Network.setCookie", name="session_id", value=session_id, url=args.url, path="/"
        )
        # The first page load builds the web client's assets.
        browser.shot(f"{args.url}/odoo/purchase", f"{args.out}/rfq_compliance.png", ".o_list_view")
        browser.shot(
            f"{args.url}/odoo/purchase/{rfq_ids[0]}",
            f"{args.out}/rfq_compliance.png",
            ".o_pareto_compliance .o_pareto_family_row",
        )
        browser.shot(
            f"{args.url}/odoo/action-pareto_odoo.action_pareto_compliance_dashboard",
            f"{args.out}/dashboard.png",
            ".o_pareto_dashboard",
        )
    finally:
        browser.close()


if __name__ == "__main__":
    main()
