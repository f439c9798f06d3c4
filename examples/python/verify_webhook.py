#!/usr/bin/env python3
"""Check the signature of an fbstab webhook delivery (Standard Webhooks), stdlib only.

Usage, with the body on stdin and the three headers as arguments:

    WEBHOOK_SECRET=whsec_... python3 verify_webhook.py \\
        "$WEBHOOK_ID" "$WEBHOOK_TIMESTAMP" "$WEBHOOK_SIGNATURE" < body.json

Prints "valid <type>" and exits 0, or "invalid: <why>" and exits 1. In a receiver, call
verify(secret, headers, body) on the raw body bytes before parsing them (docs/api.md "Webhooks").
"""

import base64
import hashlib
import hmac
import json
import os
import sys
import time

TOLERANCE_SECONDS = 5 * 60


class InvalidSignature(Exception):
    pass


def verify(secret, headers, body, now=None, tolerance=TOLERANCE_SECONDS):
    """Raise InvalidSignature unless `body` (bytes) was signed with `secret` for these headers.

    `headers` maps lower-case names to values: webhook-id, webhook-timestamp, webhook-signature.
    """
    try:
        msg_id = headers["webhook-id"]
        timestamp = headers["webhook-timestamp"]
        signatures = headers["webhook-signature"]
    except KeyError as missing:
        raise InvalidSignature("missing header %s" % missing)
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise InvalidSignature("webhook-timestamp is not an integer")
    now = int(time.time()) if now is None else now
    if abs(now - sent_at) > tolerance:
        raise InvalidSignature("timestamp is more than %d s away from now" % tolerance)
    key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret)
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # The header may carry several space-separated signatures (during a secret rotation).
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return
    raise InvalidSignature("no v1 signature matches")


def main(argv):
    if len(argv) != 4 or "WEBHOOK_SECRET" not in os.environ:
        sys.stderr.write(__doc__)
        return 2
    body = sys.stdin.buffer.read()
    headers = {"webhook-id": argv[1], "webhook-timestamp": argv[2], "webhook-signature": argv[3]}
    try:
        verify(os.environ["WEBHOOK_SECRET"], headers, body)
    except InvalidSignature as why:
        print("invalid: %s" % why)
        return 1
    print("valid %s" % json.loads(body).get("type"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
