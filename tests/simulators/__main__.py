"""Command line: ``python -m simulators serve`` runs every simulator until SIGTERM or SIGINT;
``python -m simulators bench`` measures them.

Once all servers listen, exactly one JSON line goes to stdout: the connection
options of each service, ready to be used as ``module_defaults``.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from .bench import main as bench_main
from .stack import start_stack


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m simulators", description="Local simulators of the services incident.ops manages.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve all simulators until SIGTERM or SIGINT")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--base-port", type=int, default=8900,
                       help="PagerDuty listens on base+1, ITSM base+2, tickets base+3, on-call query/command/auth base+4/5/6, "
                            "PagerDuty events base+7, on-call customer base+8; 0 picks free ports")
    serve.add_argument("--latency-ms", type=float, default=0, help="delay added to every API request")
    serve.add_argument("--rate-limit", type=int, default=0, help="requests per minute per token, 0 for no limit")
    serve.add_argument("--seed-users", type=int, default=0, help="extra PagerDuty users to seed, to exercise pagination")
    serve.add_argument("--tls-cert", help="PEM certificate: serve HTTPS instead of HTTP")
    serve.add_argument("--tls-key", help="PEM private key of --tls-cert")
    bench = commands.add_parser("bench", help="measure simple GETs per second on each simulator")
    bench.add_argument("--seconds", type=float, default=3.0, help="how long each service is measured")
    args = parser.parse_args(argv)
    if args.command == "serve" and bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    return args


def serve(args):
    stopping = threading.Event()

    def request_stop(signum, frame):  # pylint: disable=unused-argument
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        stack = start_stack(host=args.host, base_port=args.base_port, latency_ms=args.latency_ms, rate_limit=args.rate_limit,
                            seed_users=args.seed_users, tls_cert=args.tls_cert, tls_key=args.tls_key)
    except OSError as error:
        print("cannot start the simulators: %s" % error, file=sys.stderr)
        return 1
    try:
        sys.stdout.write(json.dumps(stack.connection(), sort_keys=True) + "\n")
        sys.stdout.flush()
        while not stopping.wait(0.5):
            pass
    finally:
        stack.stop()
    return 0


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "bench":
        return bench_main(args.seconds)
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
