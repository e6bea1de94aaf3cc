"""A loopback TCP proxy in front of the real Elasticsearch node, to cut or stall the link.

Used to produce real network faults (node unreachable, node not answering) that a running
node cannot be asked to produce; the requests that do get through reach the real node.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.mode = "forward"  # "forward", "refuse" (close at once) or "stall" (never answer)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        with self._lock:  # drop pooled connections so the new mode applies at once
            for s in self._open:
                with contextlib.suppress(OSError):
                    # shutdown first: a close alone does not end the pipe thread's recv on it,
                    # and the peer would wait for an answer instead of seeing the link cut
                    s.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    s.close()
            self._open.clear()

    def close(self) -> None:
        self._closed = True
        self.set_mode("refuse")
        self._server.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self.mode == "refuse":
                client.close()
                continue
            with self._lock:
                self._open.append(client)
            if self.mode == "stall":
                continue  # hold the connection open and say nothing
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open.append(upstream)
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.close()
