"""A TCP proxy whose network can be cut silently: packets lost, no error, no
close, as when a Wi-Fi or a NAT drops a connection."""

from __future__ import annotations

import socket
import threading


class CuttableProxy:
    """Forwards a local port to ``127.0.0.1:target``.

    :meth:`cut` stops every byte, both ways, of every connection, open or
    new, without closing any; :meth:`mend` lets new connections through
    again. Those of before the cut stay dead on the client's side, as after a
    real one; on the server's side they are closed at the mend, as the
    server's TCP would after its retransmissions time out (minutes, not
    forever). A connection that one side closes or breaks is closed on both.
    """

    def __init__(self, target: int) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._generation = 0
        self._cut = False
        self._held: list[socket.socket] = []
        #: The server's side of each connection, by the generation it began in.
        self._upstreams: list[tuple[int, socket.socket]] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            self._generation += 1

    def mend(self) -> None:
        with self._lock:
            self._cut = False
            dead = [sock for gen, sock in self._upstreams if gen != self._generation]
            self._upstreams = [
                (gen, sock) for gen, sock in self._upstreams if gen == self._generation
            ]
        for sock in dead:
            sock.close()

    def close(self) -> None:
        self.listener.close()
        with self._lock:
            held, self._held = self._held, []
        for sock in held:
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                self._held.append(client)
                if self._cut:
                    continue  # accepted, never answered
                generation = self._generation
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:  # the server is down: as if it refused
                client.close()
                continue
            with self._lock:
                self._held.append(upstream)
                self._upstreams.append((generation, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pipe, args=(source, sink, generation), daemon=True
                ).start()

    def _pipe(
        self, source: socket.socket, sink: socket.socket, generation: int
    ) -> None:
        try:
            while data := source.recv(65536):
                if self._generation != generation:
                    return  # cut: what comes now is lost, nothing is closed
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:  # one side is gone: so is the connection
            if self._generation == generation:
                source.close()
                sink.close()
