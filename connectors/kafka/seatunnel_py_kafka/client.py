"""confluent-kafka clients: imported lazily, configured from the options, errors as one line."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from seatunnel_py.api import ConnectorError

from .config import redact, translate

log = logging.getLogger(__name__)

INSTALL_HINT = "the Kafka connector needs confluent-kafka: pip install confluent-kafka (or seatunnel-py-kafka)"


def kafka() -> ModuleType:
    """The ``confluent_kafka`` module, or a ``ConnectorError`` saying what to install."""
    try:
        import confluent_kafka
    except ImportError:
        raise ConnectorError(INSTALL_HINT) from None
    return confluent_kafka


class _ClientLog:
    """librdkafka's log lines, at debug level: failures reach the user as one ``ConnectorError`` line."""

    def log(self, level: int, message: str, *args: Any) -> None:
        """Called by confluent-kafka's ``logger`` hook."""
        log.debug(message, *args)


def base_config(bootstrap_servers: str, kafka_config: Mapping[str, Any], **defaults: Any) -> dict[str, Any]:
    """``defaults`` overridden by the translated ``kafka.config``, then the brokers."""
    config: dict[str, Any] = dict(defaults)
    config.update(translate(kafka_config))
    config["bootstrap.servers"] = bootstrap_servers
    config.setdefault("logger", _ClientLog())
    return config


class ErrorLatch:
    """Keeps the first fatal client error reported through ``error_cb`` (from librdkafka threads)."""

    def __init__(self) -> None:
        self.error: Any = None
        self.transport_down = False

    def __call__(self, error: Any) -> None:
        """librdkafka's ``error_cb``: remember fatal and authentication errors, note transport ones."""
        ck = kafka()
        code = error.code()
        if error.fatal() or code in (ck.KafkaError._AUTHENTICATION, ck.KafkaError.SASL_AUTHENTICATION_FAILED,
                                     ck.KafkaError.TOPIC_AUTHORIZATION_FAILED,
                                     ck.KafkaError.GROUP_AUTHORIZATION_FAILED):
            if self.error is None:
                self.error = error
        elif code in (ck.KafkaError._ALL_BROKERS_DOWN, ck.KafkaError._TRANSPORT):
            self.transport_down = True
        log.debug("kafka client error: %s", error)


def make_client(kind: str, config: dict[str, Any], secrets: Mapping[str, Any]) -> Any:
    """Build a ``Consumer``, ``Producer`` or ``AdminClient``; a bad property is one clear line."""
    ck = kafka()
    try:
        if kind == "consumer":
            return ck.Consumer(config)
        if kind == "producer":
            return ck.Producer(config)
        from confluent_kafka.admin import AdminClient

        return AdminClient(config)
    except (ck.KafkaException, ValueError, TypeError) as exc:
        raise ConnectorError(f"Kafka: bad client configuration: {redact(describe(exc), secrets)}") from None


def describe(exc: BaseException | Any) -> str:
    """One line for a KafkaException / KafkaError."""
    error = exc.args[0] if isinstance(exc, BaseException) and exc.args else exc
    text = error.str() if hasattr(error, "str") else str(error)
    return " ".join(str(text).split())
