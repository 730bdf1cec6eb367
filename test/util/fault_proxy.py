"""A TCP proxy in front of a test server that fails on command, for source-failure tests.

    proxy = FaultProxy("127.0.0.1", 5432); proxy.start()   # listens on proxy.port
    proxy.refuse()               # connections are refused from now on, open ones are cut
    proxy.allow()                # back to forwarding
    proxy.cut_after(20000)       # each new connection is cut after the server sent N bytes
    proxy.refuse_after(1)        # the first connection works, every later one is refused
    proxy.latency(0.01)          # each chunk the server sends waits 10 ms (a slow network)
    proxy.stall()                # stops forwarding both ways without closing (a paused server)
    proxy.stall_after(20000)     # the same, once a connection has sent N bytes (paused mid-reply)
    proxy.bytes_from_server      # bytes the server sent through the proxy so far
    proxy.stop()

A refused connection is accepted and closed at once (the client sees the server go away during
its handshake); the port stays bound, so nothing else can take it between tests.
"""
import socket
import threading
import time


class FaultProxy:
    def __init__(self, target_host, target_port):
        self.target = (target_host, int(target_port))
        self._lock = threading.Lock()
        self._refusing = False
        self._cut_after = None
        self._stall_after = None
        self._latency = 0.0
        self._allowed_connections = None
        self._connections = 0
        self._bytes_from_server = 0
        self._flowing = threading.Event()
        self._flowing.set()
        self._open = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._stopped = False
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def start(self):
        self._thread.start()
        return self

    @property
    def connections(self):
        with self._lock:
            return self._connections

    @property
    def bytes_from_server(self):
        with self._lock:
            return self._bytes_from_server

    def stall(self):
        """Like SIGSTOP on the server: connections stay open (new ones are accepted too) but no
        byte is forwarded either way until allow() or stop()."""
        self._flowing.clear()

    def stall_after(self, nbytes):
        with self._lock:
            self._stall_after = int(nbytes)

    def refuse(self):
        with self._lock:
            self._refusing = True
            open_now, self._open = self._open, []
        for s in open_now:
            _close(s)

    def allow(self):
        with self._lock:
            self._refusing = False
            self._cut_after = None
            self._stall_after = None
            self._allowed_connections = None
        self._flowing.set()

    def cut_after(self, nbytes):
        with self._lock:
            self._cut_after = int(nbytes)

    def latency(self, seconds):
        with self._lock:
            self._latency = float(seconds)

    def refuse_after(self, connections):
        with self._lock:
            self._allowed_connections = self._connections + int(connections)

    def stop(self):
        self._stopped = True
        self._flowing.set()
        self.refuse()
        _close(self._listener)

    def _accept_loop(self):
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections += 1
                refuse = self._refusing or (self._allowed_connections is not None
                                            and self._connections > self._allowed_connections)
                limit = self._cut_after
                delay = self._latency
            if refuse:
                _close(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=10)
                server.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._open += [client, server]
            threading.Thread(target=self._pump, args=(client, server, None, 0, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, limit, delay, True), daemon=True).start()

    def _pump(self, src, dst, limit, delay, from_server):
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                self._flowing.wait()
                if self._stopped:
                    break
                if delay:
                    time.sleep(delay)
                if from_server:
                    with self._lock:
                        self._bytes_from_server += len(data)
                        stall_at = self._stall_after
                    if stall_at is not None and sent + len(data) > stall_at:
                        dst.sendall(data[:max(0, stall_at - sent)])
                        data = data[max(0, stall_at - sent):]
                        sent = stall_at
                        self._flowing.clear()
                        self._flowing.wait()
                        if self._stopped:
                            break
                if limit is not None and sent + len(data) >= limit:
                    dst.sendall(data[:max(0, limit - sent)])
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        _close(src)
        _close(dst)


def _close(s):
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass
