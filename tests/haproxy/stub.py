#!/usr/bin/env python3
"""stub.py: the pods of an export (pods.tsv), as small servers on 127.x.

Each line of pods.tsv is one listener: address, port, pod, certificate (a
PEM relative to the export folder, or -) and behaviour: `http` answers every
request with 200 and the pod's name as the body, `hung` accepts and never
answers (R53), `tcp` answers a line that is not HTTP, `down` is not started
(nothing listens: a dead pod).  Prints `ready` when every listener is bound;
runs until SIGTERM.  Used by tests/haproxy/run.sh.
"""
import os, socket, ssl, sys, threading

def serve(sock, pod, how, ctx):
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        threading.Thread(target=handle, args=(conn, pod, how, ctx), daemon=True).start()

def handle(conn, pod, how, ctx):
    try:
        if ctx is not None:
            conn = ctx.wrap_socket(conn, server_side=True)
        conn.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        if how == "hung":
            threading.Event().wait(60)
            return
        if how == "tcp":
            conn.sendall(b"not http\n")
            return
        body = (pod + "\n").encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Pod: " + pod.encode() +
                     b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass

def main():
    tsv, folder = sys.argv[1], sys.argv[2]
    seen = set()
    for line in open(tsv):
        if line.startswith("#") or not line.strip():
            continue
        ip, port, pod, cert, how = line.rstrip("\n").split("\t")
        if (ip, port) in seen or how == "down":
            continue
        seen.add((ip, port))
        ctx = None
        if cert != "-":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(os.path.join(folder, cert))
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((ip, int(port)))
        s.listen(64)
        threading.Thread(target=serve, args=(s, pod, how, ctx), daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()    # until SIGTERM (run.sh's trap)

if __name__ == "__main__":
    main()
