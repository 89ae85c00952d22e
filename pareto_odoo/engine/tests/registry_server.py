"""A scripted stand-in of the registry API on 127.0.0.1, for both test tiers.

The engine tests (pytest) and the Odoo tests use this one module: it answers
from fixtures written after the API's OpenAPI description and replays the
faults the client must survive (errors, slow or trickling answers, oversized
bodies, redirects). Nothing here reaches the internet.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "registry"


class Sirens:
    """The SIRENs of the companies of the fixtures, for both test tiers."""

    ATELIER = "842153678"  # PME, band 11 (small), Argenteuil (95), 18.12Z, with finances, ESS
    PAPETERIES = "793402181"  # PME, band 21 (medium), Montreuil (93), 17.23Z, SIAE
    CARTONNAGES = "817364201"  # PME, band 12 (small), Bobigny (93), 17.23Z
    LEFEBVRE = "512876046"  # closed (etat_administratif C)
    PROPRETE = "438619025"  # GE subsidiary with 10-19 employees, mission-driven
    DUBOIS = "901274555"  # sole trader in Paris, no coordinates


def fixture(name):
    """The decoded JSON of ``fixtures/registry/<name>.json``."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Reply:
    """One scripted answer.

    ``body``: ``bytes`` or ``str`` sent verbatim, anything else as JSON.
    ``delay``: seconds before answering. ``trickle``: seconds between the
    bytes of the body (headers sent at once), or of the whole answer with
    ``trickle_headers``. ``content_length=False`` sends no Content-Length
    (the body ends when the connection closes).
    """

    status: int = 200
    body: object = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0
    trickle_headers: bool = False
    content_length: bool = True

    def data(self):
        if isinstance(self.body, bytes):
            return self.body
        return (self.body if isinstance(self.body, str) else json.dumps(self.body)).encode()


@dataclass
class Received:
    path: str
    params: dict
    headers: dict
    at: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        fake = self.server.fake
        reply = fake.next_reply(Received(url.path, params, dict(self.headers), time.time()))
        if reply.delay and fake.released.wait(reply.delay):
            return  # released at teardown: the client has given up
        data = reply.data()
        head = [f"HTTP/1.1 {reply.status} Scripted\r\n", "Content-Type: application/json\r\n"]
        if reply.content_length:
            head.append(f"Content-Length: {len(data)}\r\n")
        else:
            head.append("Connection: close\r\n")
            self.close_connection = True
        head += [f"{name}: {value}\r\n" for name, value in reply.headers.items()]
        head = "".join([*head, "\r\n"]).encode("latin-1")
        try:
            if reply.trickle_headers:
                self._trickle(head + data, reply.trickle)
            else:
                self.wfile.write(head)
                self.wfile.flush()
                if reply.trickle:
                    self._trickle(data, reply.trickle)
                else:
                    self.wfile.write(data)
        except OSError:
            return  # the client hung up: what it is meant to do

    def _trickle(self, data, pause):
        for position in range(len(data)):
            self.wfile.write(data[position : position + 1])
            self.wfile.flush()
            if self.server.fake.released.wait(pause):
                return

    def log_message(self, *args):
        pass  # keep the test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that timed out has closed its socket: nothing to report


class FakeRegistry:
    """Scripted API on 127.0.0.1 that records the requests it receives.

    ``start()`` serves in a thread; ``stop()`` releases pending slow answers
    and shuts the server down. ``reply(path, *replies, **query)`` scripts the
    answers to GET ``path`` whose query includes ``query``, in turn, the last
    one repeating; anything else gets a 404.
    """

    def __init__(self):
        self.received = []
        self.released = threading.Event()
        self._rules = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # A short poll interval keeps shutdown (hence teardown) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=30)

    def reset(self):
        """Forget the requests received and the scripted answers."""
        with self._lock:
            self.received.clear()
            self._rules.clear()
        self.released.clear()

    def reply(self, path, *replies, **query):
        with self._lock:
            self._rules.append((path, query, list(replies)))

    def lookup(self, siren, *replies):
        """Script the answers to the lookup of ``siren`` (a search with q=siren)."""
        self.reply("/search", *replies, q=siren)

    def next_reply(self, received):
        with self._lock:
            self.received.append(received)
            for path, query, replies in self._rules:
                if path == received.path and query.items() <= received.params.items():
                    return replies.pop(0) if len(replies) > 1 else replies[0]
        return Reply(404, {"erreur": "No fixture for this request."})

    def queries(self):
        """The ``q`` parameter of every request received, in order."""
        return [received.params.get("q") for received in self.received]


def company(siren, **values):
    """A registry result (``/search`` item) for hand-made faults: a valid PME
    in Montreuil, overridden by ``values`` (``siege`` values are merged)."""
    result = {
        "siren": siren,
        "nom_complet": "SOCIETE DE TEST",
        "nom_raison_sociale": "SOCIETE DE TEST",
        "siege": {
            "siret": None,
            "code_postal": "93100",
            "libelle_commune": "MONTREUIL",
            "latitude": "48.86",
            "longitude": "2.44",
        },
        "activite_principale": "17.23Z",
        "categorie_entreprise": "PME",
        "annee_categorie_entreprise": "2022",
        "tranche_effectif_salarie": "11",
        "annee_tranche_effectif_salarie": "2022",
        "etat_administratif": "A",
    }
    result["siege"].update(values.pop("siege", {}))
    result.update(values)
    return result


def page(*results):
    """A one-page ``/search`` answer holding ``results``."""
    return {
        "results": list(results),
        "total_results": len(results),
        "page": 1,
        "per_page": 25,
        "total_pages": 1,
    }
