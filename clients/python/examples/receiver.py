"""A webhook receiver for roster's deliveries, verifying each with the official Standard Webhooks
library (`pip install standardwebhooks`): the signature over id, timestamp and body, with the
endpoint's secret, and the timestamp within five minutes (replays are refused).

    ROSTER_WEBHOOK_SECRET=whsec_… python receiver.py [port]

Prints where it listens, then one JSON line per verified event (`{"id", "type"}`); answers 204,
or 400 to a request that does not verify (roster then retries it later).
"""

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

# roster's deliveries are far smaller; anything larger is not one.
MAX_BODY = 1 << 20

webhook = Webhook(os.environ["ROSTER_WEBHOOK_SECRET"])


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        try:
            length = int(self.headers.get("content-length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            return self.answer(400)
        body = self.rfile.read(length)
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            event = webhook.verify(body, headers)
        except WebhookVerificationError:
            return self.answer(400)
        # Handle the event here (idempotently: a delivery may come more than once, same `id`).
        print(json.dumps({"id": event["id"], "type": event["type"]}), flush=True)
        self.answer(204)

    def answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()
