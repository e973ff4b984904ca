"""scripts/cluster.py's port check: a port whose last connections are in TIME_WAIT (for a minute
after every stop) is free, as it is for the servers, which bind with SO_REUSEADDR; a port with a
listener is busy."""
import errno
import socket
import time
from pathlib import Path
from typing import Iterator, List

import pytest

from scripts.cluster import Cluster, port_free

TIME_WAIT = "06"  # the state's code in /proc/net/tcp


def server_socket(reuse: bool = True) -> socket.socket:
    """A listener as the servers make theirs (nginx, Redis, PostgreSQL, Sanic: SO_REUSEADDR)."""
    sock = socket.socket()
    if reuse:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def local_states(port: int) -> List[str]:
    """The TCP states of the sockets whose local address is 127.0.0.1:port."""
    states = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        address, local_port = fields[1].split(":")
        if int(local_port, 16) == port and address == "0100007F":
            states.append(fields[3])
    return states


@pytest.fixture
def time_wait_port() -> Iterator[int]:
    """A port on which nothing listens any more but the server side of its last connection is
    in TIME_WAIT: the server closed the connection first (as a server that stops does), then
    the client, then the server its listener."""
    listener = server_socket()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    accepted.close()  # the server side's FIN first: it ends in TIME_WAIT, not the client's
    assert client.recv(1) == b""  # the client has it
    client.close()
    listener.close()
    deadline = time.monotonic() + 10
    while local_states(port) != [TIME_WAIT]:
        assert time.monotonic() < deadline, f"no TIME_WAIT on {port}: {local_states(port)}"
        time.sleep(0.01)
    yield port


def test_a_port_in_time_wait_is_free(time_wait_port):
    # what the check did before: a plain bind, refused while the port is in TIME_WAIT
    with socket.socket() as plain, pytest.raises(OSError) as refused:
        plain.bind(("127.0.0.1", time_wait_port))
    assert refused.value.errno == errno.EADDRINUSE
    assert port_free(time_wait_port)
    assert local_states(time_wait_port) == [TIME_WAIT]  # still: it was there during the check
    # and a server can indeed take it
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", time_wait_port))
        server.listen()


@pytest.mark.parametrize("reuse", [True, False], ids=["SO_REUSEADDR", "plain"])
def test_a_port_with_a_listener_is_busy(reuse):
    with server_socket(reuse) as listener:
        assert not port_free(listener.getsockname()[1])


def test_a_port_bound_on_every_address_is_busy():
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("0.0.0.0", 0))
        listener.listen()
        assert not port_free(listener.getsockname()[1])


def test_the_cluster_starts_on_ports_in_time_wait_but_not_on_a_taken_one(time_wait_port,
                                                                       tmp_path):
    def cluster(port: int) -> Cluster:
        from scripts.stack import free_port
        return Cluster(tmp_path, port=port, rasa_ports=[free_port()], action_port=free_port(),
                       action_ports=[free_port()], postgres_port=free_port(),
                       redis_port=free_port(), env={})

    cluster(time_wait_port).check_ports()  # no "ports already in use"
    with server_socket() as listener:
        taken = listener.getsockname()[1]
        with pytest.raises(RuntimeError, match=rf"ports already in use.*nginx \({taken}\)"):
            cluster(taken).check_ports()
