#!/usr/bin/env python3
"""Opens N idle tunnels through a proxy and holds them open until killed (bench.sh).

HTTP proxies get `CONNECT host:port`, SOCKS5 proxies an RFC 1928 CONNECT (with RFC 1929
user/password when --auth is given). A tunnel counts as open once the proxy answered 200 /
succeeded. Prints `HELD ok=<n> failed=<m>` on stdout once every tunnel was attempted, then
sleeps (at most --hold seconds), holding the sockets and sending nothing.
"""
import argparse
import base64
import socket
import struct
import sys
import time


def open_http(proxy, target, auth, timeout):
    s = socket.create_connection(proxy, timeout=timeout)
    req = "CONNECT %s HTTP/1.1\r\nHost: %s\r\n" % (target, target)
    if auth:
        req += "Proxy-Authorization: Basic %s\r\n" % base64.b64encode(auth.encode()).decode()
    s.sendall((req + "\r\n").encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise OSError("proxy closed before answering")
        buf += chunk
    status = buf.split(b"\r\n", 1)[0]
    if b" 200" not in status:
        raise OSError("proxy answered %r" % status)
    return s


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise OSError("proxy closed")
        buf += chunk
    return buf


def open_socks5(proxy, target, auth, timeout):
    host, port = target.rsplit(":", 1)
    s = socket.create_connection(proxy, timeout=timeout)
    s.sendall(b"\x05\x01" + (b"\x02" if auth else b"\x00"))
    ver, method = recv_exact(s, 2)
    if ver != 5 or method == 0xFF:
        raise OSError("no acceptable SOCKS5 method")
    if method == 2:
        user, pw = auth.split(":", 1)
        s.sendall(b"\x01" + bytes([len(user)]) + user.encode() + bytes([len(pw)]) + pw.encode())
        if recv_exact(s, 2)[1] != 0:
            raise OSError("SOCKS5 authentication failed")
    s.sendall(b"\x05\x01\x00\x01" + socket.inet_aton(host) + struct.pack(">H", int(port)))
    head = recv_exact(s, 4)
    if head[1] != 0:
        raise OSError("SOCKS5 reply %d" % head[1])
    atyp = head[3]
    rest = {1: 4, 4: 16}.get(atyp)
    if rest is None:
        rest = recv_exact(s, 1)[0]
    recv_exact(s, rest + 2)
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--type", choices=["http", "socks5"], required=True)
    ap.add_argument("--proxy", required=True, help="host:port")
    ap.add_argument("--target", required=True, help="IPv4:port the tunnels lead to")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--auth", default="", help="user:password")
    ap.add_argument("--hold", type=float, default=60.0, help="seconds to hold at most")
    a = ap.parse_args()
    phost, pport = a.proxy.rsplit(":", 1)
    opener = open_http if a.type == "http" else open_socks5
    held, failed, last_error = [], 0, ""
    for _ in range(a.count):
        try:
            held.append(opener((phost, int(pport)), a.target, a.auth, 10))
        except OSError as e:
            failed += 1
            last_error = str(e)
    print("HELD ok=%d failed=%d%s" % (len(held), failed, (" error=" + last_error) if last_error else ""), flush=True)
    time.sleep(a.hold)
    for s in held:
        s.close()


if __name__ == "__main__":
    sys.exit(main())
