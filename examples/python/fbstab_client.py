#!/usr/bin/env python3
"""Run an experiment on an fbstab service, standard library only (docs/api.md "Client").

Submits a request body (a JSON file, or a small built-in frame-bounds experiment), follows its
progress over Server-Sent Events (GET /v1/experiments/{id}/events; polling when the stream
fails), then writes into the output folder:

  experiment.json   the experiment resource, exactly as GET /v1/experiments/{id} serves it
  result.json       its result, indented
  <plot>.svg        each plot of links.plots, exactly as the service serves it

Usage:
  python3 fbstab_client.py [request.json] [--server URL] [--out DIR] [--api-key KEY]

The server defaults to $FBSTAB_SERVER, else http://localhost:3000; the key to $FBSTAB_API_KEY.
429 and 503 answers are retried after their Retry-After. Exit codes: 0 when the experiment
succeeded, 1 when it failed or was cancelled, or the server could not be reached, 2 when the
server refused the request (the problem's fields are printed).
"""

import argparse
import email.utils
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

SMALL_REQUEST = {
    "type": "frame-bounds",
    "trials": 200,
    "seed": 2024,
    "signalLength": 128,
    "filterbank": {"numFilters": [4, 8], "filterLengths": [4, 8, 16]},
}
FINAL = ("succeeded", "failed", "cancelled")


class Problem(Exception):
    """A problem+json answer (docs/api.md "Errors")."""

    def __init__(self, status, body):
        self.status = status
        self.body = body
        super().__init__(f"{status} {body.get('title', '')}: {body.get('detail', '')}")


class Client:
    def __init__(self, base, api_key=None, retries=4):
        self.base = base.rstrip("/")
        self.api_key = api_key
        self.retries = retries

    def request(self, method, path, body=None, headers=None, accept="application/json"):
        """Sends one request, retrying 429 and 503 after their Retry-After; returns the response."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        all_headers = {"Accept": accept, **(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        if self.api_key:
            all_headers["Authorization"] = f"Bearer {self.api_key}"
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(self.base + path, data=data, method=method, headers=all_headers)
            try:
                return urllib.request.urlopen(req, timeout=60)
            except urllib.error.HTTPError as error:
                text = error.read().decode("utf-8", "replace")
                try:
                    problem = json.loads(text)
                except ValueError:
                    problem = {"title": error.reason, "detail": text[:200]}
                if error.code not in (429, 503) or attempt == self.retries:
                    raise Problem(error.code, problem) from None
                delay = retry_after_seconds(error.headers.get("Retry-After"), attempt)
                print(f"{error.code}: retrying in {delay:.1f} s", file=sys.stderr)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def json(self, method, path, body=None, headers=None):
        with self.request(method, path, body, headers) as res:
            return json.load(res)


def retry_after_seconds(header, attempt):
    """Retry-After as delay-seconds or an HTTP-date; without one, 0.5·2ⁿ s."""
    if header:
        if header.strip().isdigit():
            return float(header.strip())
        try:
            return max(0.0, email.utils.parsedate_to_datetime(header).timestamp() - time.time())
        except (TypeError, ValueError):
            pass
    return 0.5 * 2**attempt


def show_progress(progress):
    done, total = progress["completedTrials"], progress["totalTrials"]
    print(f"\rprogress {done}/{total} trials ({100 * progress['fraction']:.0f} %)", end="", file=sys.stderr)


def follow_events(client, experiment_id):
    """Reads the event stream until a final status; False if it ended without one."""
    with client.request("GET", f"/v1/experiments/{experiment_id}/events", accept="text/event-stream") as res:
        event, data = "message", []
        for raw in res:  # the response reads line by line as the server sends them
            line = raw.decode("utf-8").rstrip("\r\n")
            if line == "":
                if data:
                    payload = json.loads("\n".join(data))
                    if event == "progress":
                        show_progress(payload)
                    elif event == "status" and payload["status"] in FINAL:
                        return True
                event, data = "message", []
            elif line.startswith(":"):
                continue  # keep-alive comment
            else:
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "event":
                    event = value
                elif field == "data":
                    data.append(value)
    return False


def wait(client, experiment_id, poll_seconds=1.0):
    """Follows the experiment until it is final, over SSE or, when that fails, by polling."""
    try:
        follow_events(client, experiment_id)
    except (OSError, ValueError, Problem) as error:
        if isinstance(error, Problem) and error.status == 404:
            raise
        print(f"event stream unavailable ({error}); polling", file=sys.stderr)
    while True:
        resource = client.json("GET", f"/v1/experiments/{experiment_id}")
        show_progress(resource["progress"])
        if resource["status"] in FINAL:
            print(file=sys.stderr)
            return resource
        time.sleep(poll_seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("request", nargs="?", help="request body (JSON file); default: a small frame-bounds run")
    parser.add_argument("--server", default=os.environ.get("FBSTAB_SERVER") or "http://localhost:3000")
    parser.add_argument("--api-key", default=os.environ.get("FBSTAB_API_KEY"))
    parser.add_argument("--out", default="fbstab-out", help="output folder (default fbstab-out)")
    args = parser.parse_args()

    body = SMALL_REQUEST
    if args.request:
        with open(args.request, encoding="utf-8") as f:
            body = json.load(f)
    client = Client(args.server, args.api_key)
    try:
        # An Idempotency-Key makes the retries of this POST safe: they return the first experiment.
        experiment = client.json("POST", "/v1/experiments", body, {"Idempotency-Key": str(uuid.uuid4())})
        experiment_id = experiment["id"]
        print(f"experiment {experiment_id}, seed {experiment['request']['seed']}", file=sys.stderr)
        wait(client, experiment_id)

        os.makedirs(args.out, exist_ok=True)
        with client.request("GET", f"/v1/experiments/{experiment_id}") as res:
            raw = res.read()
        with open(os.path.join(args.out, "experiment.json"), "wb") as f:
            f.write(raw)
        resource = json.loads(raw)
        if resource["status"] != "succeeded":
            detail = (resource.get("error") or {}).get("detail", "")
            print(f"experiment {experiment_id} {resource['status']} {detail}", file=sys.stderr)
            return 1
        with open(os.path.join(args.out, "result.json"), "w", encoding="utf-8") as f:
            json.dump(resource["result"], f, indent=2, ensure_ascii=False)
            f.write("\n")
        for link in resource["links"].get("plots", []):
            path = urllib.parse.urlsplit(link).path  # links are relative to the server
            with client.request("GET", path, accept="image/svg+xml") as res:
                svg = res.read()
            with open(os.path.join(args.out, path.rsplit("/", 1)[-1]), "wb") as f:
                f.write(svg)
        print(f"wrote {args.out}/: experiment.json, result.json and {len(resource['links'].get('plots', []))} plots", file=sys.stderr)
        return 0
    except Problem as problem:
        for error in problem.body.get("errors") or []:
            print(f"{error['path']}: {error['message']}", file=sys.stderr)
        print(f"the server answered {problem}", file=sys.stderr)
        return 2 if 400 <= problem.status < 500 else 1
    except urllib.error.URLError as error:
        print(f"cannot reach {args.server}: {error.reason}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
