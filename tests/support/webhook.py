"""A tiny local webhook receiver for notification tests.

    hook = Hook()          # listens on 127.0.0.1:<free port>; hook.url is its URL
    hook.status = 500      # what it answers from now on
    hook.requests          # every POST: {"headers": {...}, "body": b"..."}
    hook.close()

The portal refuses loopback receivers unless ``NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE`` is on: a test
that delivers to it turns that setting on (the ``hook`` fixtures do).
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Hook:
    """Records every POST; answers ``status`` (with a text body when it is an error)."""

    def __init__(self, host: str = "127.0.0.1", path: str = "/hook?team=demo"):
        self.requests = []
        self.status = 204
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                hook.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                self.send_response(hook.status)
                self.send_header("Content-Type", "text/plain")
                message = b"" if hook.status < 300 else b"receiver is down"
                self.send_header("Content-Length", str(len(message)))
                self.end_headers()
                self.wfile.write(message)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://{host}:{self.port}{path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
