#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
"""Misbehaving TLS 1.3 clients for the registrar's host tests (real TLS, 127.0.0.1 only).

  slowloris  send a request's header one byte at a time; report when the server closes
  truncated  POST a body shorter than its Content-Length, then wait; report the close
  hold       open N mutually authenticated connections and keep them until stdin closes
  handshake  try one handshake; print "ok" or the error (exit 0 either way)

Every loop is bounded in count and time.
"""
import argparse
import socket
import ssl
import sys
import time


def context(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3 if not a.tls12 else ssl.TLSVersion.TLSv1_2
    if a.tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_verify_locations(a.ca)
    if a.cert:
        ctx.load_cert_chain(a.cert, a.key)
    return ctx


def connect(a, ctx):
    raw = socket.create_connection((a.host, a.port), timeout=a.max)
    return ctx.wrap_socket(raw, server_hostname="localhost")


def wait_close(s, deadline):
    """Seconds until the server closes s (EOF or reset), or None at the deadline."""
    start = time.monotonic()
    while time.monotonic() < deadline:
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        except (ConnectionResetError, ssl.SSLError, OSError):
            return time.monotonic() - start, b""
        if not data:
            return time.monotonic() - start, b""
        return time.monotonic() - start, data
    return None, b""


def slowloris(a):
    s = connect(a, context(a))
    start = time.monotonic()
    req = b"GET /attest/v1/params HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 400
    sent = 0
    for byte in req:
        if time.monotonic() - start > a.max:
            break
        try:
            s.send(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            print("closed after %.1f s (%d bytes sent)" % (time.monotonic() - start, sent))
            return 0
        sent += 1
        # A closed connection shows as EOF on a short read.
        s.settimeout(a.interval)
        try:
            data = s.recv(4096)
            if not data:
                print("closed after %.1f s (%d bytes sent)" % (time.monotonic() - start, sent))
                return 0
            if data.startswith(b"HTTP/1.1 200"):
                print("served: the slow request was answered")
                return 1
        except socket.timeout:
            pass
        except (ConnectionResetError, ssl.SSLError, OSError):
            print("closed after %.1f s (%d bytes sent)" % (time.monotonic() - start, sent))
            return 0
    print("still open after %.1f s (%d bytes sent)" % (time.monotonic() - start, sent))
    return 1


def truncated(a):
    s = connect(a, context(a))
    body = b'["application/vnd.tao.tpm2-evidence+json", "eyJ2'
    head = ("POST /attest/v1/evidence HTTP/1.1\r\nHost: localhost\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (len(body) + 1000))
    s.sendall(head.encode() + body)
    t, data = wait_close(s, time.monotonic() + a.max)
    if t is None:
        print("still open after %.1f s" % a.max)
        return 1
    print("closed after %.1f s; response: %r" % (t, data[:12]))
    return 0 if not data.startswith(b"HTTP/1.1 200") else 1


def hold(a):
    ctx = context(a)
    conns = []
    for _ in range(a.n):
        conns.append(connect(a, ctx))
    print("holding %d" % len(conns), flush=True)
    sys.stdin.read()
    for c in conns:
        c.close()
    return 0


def handshake(a):
    try:
        s = connect(a, context(a))
        s.sendall(b"GET /attest/v1/params HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = s.recv(4096)
        print("ok %s" % data.split(b"\r\n")[0].decode(errors="replace") if data else "closed")
    except (ssl.SSLError, OSError) as e:
        print("error %s" % e)
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["slowloris", "truncated", "hold", "handshake"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--tls12", action="store_true")
    p.add_argument("--interval", type=float, default=0.5)
    p.add_argument("--max", type=float, default=20.0)
    p.add_argument("-n", type=int, default=1)
    a = p.parse_args()
    return {"slowloris": slowloris, "truncated": truncated, "hold": hold,
            "handshake": handshake}[a.mode](a)


if __name__ == "__main__":
    sys.exit(main())
