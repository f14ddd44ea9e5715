"""Committing a transaction whose producer died: three Kafka protocol requests.

librdkafka (hence confluent-kafka) cannot resume a transaction another process opened:
a new producer with the same ``transactional.id`` fences the old one and *aborts* its
transaction. Yet after a crash between "checkpoint persisted" and "transaction
committed", the checkpoint already counts those messages as consumed, so the next run
must commit that transaction, not abort it. We do what the Java connectors do by
reflection, over the wire: ``FindCoordinator`` (the transaction coordinator of the id),
``DescribeTransactions`` (its producer id, epoch and state) and ``EndTxn(commit)`` with
that producer id and epoch. The coordinator accepts it because the epoch is the one the
transaction was opened with.

Only the transaction the checkpoint recorded is ever committed: the writer describes
its transaction when it hands it to the committer and keeps the producer id, epoch and
start time in the commit info (``transactions.Prepared``); ``transactions.decide``
compares them with what the coordinator says at restart. A transactional id that has moved on (another producer, a
newer epoch) is left alone, and one the broker no longer knows (it expires after
``transactional.id.expiration.ms`` without use, 7 days by default) cannot be checked
any more: both are reported, neither is called a loss. A loss is reported only when the
coordinator shows *this* transaction aborted.

Limits: a plain TCP connection (``security.protocol`` PLAINTEXT; ``transactions.speaks`` tells): with
SSL or SASL the transaction can be neither described nor committed from here, and the
sink warns at plan time. The transaction must still be open, i.e. the restart comes
before ``transaction.timeout.ms`` (default here 15 minutes, the broker's usual maximum).
"""

from __future__ import annotations

import socket
import struct

from seatunnel_py.api import ConnectorError

from .transactions import Decision, Prepared, TransactionState, decide

FIND_COORDINATOR, END_TXN, DESCRIBE_TRANSACTIONS = 10, 26, 65
TIMEOUT = 15.0
CLIENT_ID = b"seatunnel-py-recovery"
ERRORS = {
    15: "COORDINATOR_NOT_AVAILABLE", 16: "NOT_COORDINATOR", 47: "INVALID_PRODUCER_EPOCH",
    48: "INVALID_TXN_STATE", 49: "INVALID_PRODUCER_ID_MAPPING", 51: "CONCURRENT_TRANSACTIONS",
    53: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", 105: "TRANSACTIONAL_ID_NOT_FOUND",
}


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> int:
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return int(value)

    def uvarint(self) -> int:
        shift = result = 0
        while True:
            byte = self.data[self.pos]
            self.pos += 1
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7

    def string(self) -> str:
        length = self.take(">h")
        text = self.data[self.pos:self.pos + max(length, 0)].decode()
        self.pos += max(length, 0)
        return text

    def compact_string(self) -> str:
        length = self.uvarint() - 1
        text = self.data[self.pos:self.pos + max(length, 0)].decode()
        self.pos += max(length, 0)
        return text

    def skip_tags(self) -> None:
        for _ in range(self.uvarint()):
            self.uvarint()
            self.pos += self.uvarint()


def _string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack(">h", len(raw)) + raw


def _compact_string(text: str) -> bytes:
    raw = text.encode()
    return _uvarint(len(raw) + 1) + raw


def _uvarint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.correlation = 0

    def request(self, api_key: int, version: int, body: bytes, flexible: bool) -> _Reader:
        self.correlation += 1
        header = struct.pack(">hhih", api_key, version, self.correlation, len(CLIENT_ID)) + CLIENT_ID
        if flexible:
            header += b"\x00"
        payload = header + body
        self.sock.sendall(struct.pack(">i", len(payload)) + payload)
        size = struct.unpack(">i", self._read(4))[0]
        reader = _Reader(self._read(size))
        if reader.take(">i") != self.correlation:
            raise ConnectorError("Kafka: unexpected response while recovering a transaction")
        if flexible:
            reader.skip_tags()
        return reader

    def _read(self, size: int) -> bytes:
        chunks = bytearray()
        while len(chunks) < size:
            chunk = self.sock.recv(size - len(chunks))
            if not chunk:
                raise ConnectionError("connection closed by the broker")
            chunks.extend(chunk)
        return bytes(chunks)

    def close(self) -> None:
        self.sock.close()


def _address(server: str) -> tuple[str, int]:
    host, _, port = server.strip().rpartition(":")
    return host.strip("[]") or server, int(port or 9092)


class TransactionRecovery:
    """Commits open transactions of dead producers, by transactional id."""

    def __init__(self, bootstrap_servers: str) -> None:
        self.servers = [s for s in bootstrap_servers.split(",") if s.strip()]

    def _coordinator(self, transactional_id: str) -> tuple[str, int]:
        last: Exception | None = None
        for server in self.servers:
            try:
                conn = _Connection(*_address(server))
            except OSError as exc:
                last = exc
                continue
            try:
                reader = conn.request(FIND_COORDINATOR, 2, _string(transactional_id) + b"\x01", flexible=False)
                reader.take(">i")  # throttle
                error = reader.take(">h")
                reader.string()  # error message (nullable: length -1 reads as empty)
            finally:
                conn.close()
            if error:
                raise ConnectorError(f"Kafka: cannot find the coordinator of transaction {transactional_id}: "
                                     f"{ERRORS.get(error, error)}")
            return self._node(reader)
        raise ConnectorError(f"Kafka: cannot reach {','.join(self.servers)} to recover transaction "
                             f"{transactional_id}: {last}")

    @staticmethod
    def _node(reader: _Reader) -> tuple[str, int]:
        reader.take(">i")  # node id
        host = reader.string()
        port = reader.take(">i")
        return host, port

    def describe(self, transactional_id: str) -> TransactionState | None:
        """The transaction's state, producer id and epoch (``None`` when the id is unknown)."""
        conn = _Connection(*self._coordinator(transactional_id))
        try:
            body = _uvarint(2) + _compact_string(transactional_id) + b"\x00"
            reader = conn.request(DESCRIBE_TRANSACTIONS, 0, body, flexible=True)
        finally:
            conn.close()
        reader.take(">i")  # throttle
        reader.uvarint()  # one state
        error = reader.take(">h")
        reader.compact_string()
        state = reader.compact_string()
        reader.take(">i")  # transaction timeout
        started_ms = reader.take(">q")
        producer_id = reader.take(">q")
        producer_epoch = reader.take(">h")
        if error == 105:
            return None
        if error:
            raise ConnectorError(f"Kafka: cannot describe transaction {transactional_id}: {ERRORS.get(error, error)}")
        return TransactionState(state, producer_id, producer_epoch, started_ms)

    def commit(self, prepared: Prepared) -> Decision:
        """Commit ``prepared`` if it is still open, after checking it is the recorded transaction.

        Returns the decision taken; raises ``ConnectorError`` when the transaction was
        aborted (its messages are lost) or the broker refused the commit.
        """
        transactional_id = prepared.transactional_id
        state = self.describe(transactional_id)
        decision = decide(prepared, state)
        if decision == Decision.LOST:
            assert state is not None
            raise ConnectorError(
                f"Kafka: transaction {transactional_id} can no longer be committed (in state {state.state}, "
                f"producer epoch {state.producer_epoch}): the broker aborted it, probably because the job restarted "
                "after transaction.timeout.ms; its messages are lost")
        if decision != Decision.COMMIT:
            return decision
        assert state is not None
        conn = _Connection(*self._coordinator(transactional_id))
        try:
            body = (_string(transactional_id) + struct.pack(">qh", state.producer_id, state.producer_epoch)
                    + b"\x01")
            reader = conn.request(END_TXN, 2, body, flexible=False)
        finally:
            conn.close()
        reader.take(">i")
        error = reader.take(">h")
        if error:
            raise ConnectorError(f"Kafka: committing transaction {transactional_id} failed: {ERRORS.get(error, error)}")
        return decision
