"""``kafka.config``: Java client properties translated to librdkafka's.

SeaTunnel passes ``kafka.config`` to the Java client; we pass it to librdkafka. Most keys
are the same in both; the ones whose names differ are renamed here, the few whose values
differ are converted, and the Java-only ones (class names, JKS stores, Java timeouts that
librdkafka has no notion of) are refused by name at ``check`` time. A key neither listed
here nor known to librdkafka is refused by librdkafka when the client is created, and
that error names it too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

RENAMED: dict[str, str] = {
    "fetch.max.wait.ms": "fetch.wait.max.ms",
    "sasl.mechanism": "sasl.mechanisms",
    "receive.buffer.bytes": "socket.receive.buffer.bytes",
    "send.buffer.bytes": "socket.send.buffer.bytes",
    "max.request.size": "message.max.bytes",
    "delivery.timeout.ms": "message.timeout.ms",
}
"""Java name → librdkafka name."""

JAVA_ONLY: dict[str, str] = {
    "key.deserializer": "the connector reads keys and values as bytes",
    "value.deserializer": "the connector reads keys and values as bytes",
    "key.serializer": "the connector writes keys and values as bytes",
    "value.serializer": "the connector writes keys and values as bytes",
    "partitioner.class": "use librdkafka's 'partitioner' (e.g. murmur2_random) or partition_key_fields",
    "partition.assignment.strategy": "partitions are assigned by the connector (one split per partition)",
    "interceptor.classes": "Java interceptors cannot run in librdkafka",
    "metric.reporters": "Java metric reporters cannot run in librdkafka",
    "ssl.truststore.location": "librdkafka reads PEM files: use ssl.ca.location",
    "ssl.truststore.password": "librdkafka reads PEM files: use ssl.ca.location",
    "ssl.truststore.type": "librdkafka reads PEM files: use ssl.ca.location",
    "ssl.keystore.type": "librdkafka reads PKCS#12 (ssl.keystore.location) or PEM (ssl.certificate.location)",
    "default.api.timeout.ms": "librdkafka has no such timeout",
    "exclude.internal.topics": "the connector never reads internal topics",
    "buffer.memory": "use queue.buffering.max.kbytes",
    "sasl.login.callback.handler.class": "Java callback classes cannot run in librdkafka",
    "sasl.client.callback.handler.class": "Java callback classes cannot run in librdkafka",
}
"""Java-only keys, with what to do instead."""

HANDLED: dict[str, str] = {
    "max.poll.records": "the source's batch size (messages per record batch)",
    "sasl.jaas.config": "PlainLoginModule/ScramLoginModule username and password become "
                        "sasl.username and sasl.password",
}
"""Keys the connector interprets itself instead of passing them on."""

_JAAS = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;]+))""")


def refused(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(key, reason)`` for every key of ``config`` that librdkafka has no equivalent for."""
    out = [(key, JAVA_ONLY[key]) for key in config if key in JAVA_ONLY]
    jaas = config.get("sasl.jaas.config")
    if jaas is not None and not re.search(r"(PlainLoginModule|ScramLoginModule)", str(jaas)):
        out.append(("sasl.jaas.config", "only PlainLoginModule and ScramLoginModule can be translated "
                                         "(set sasl.username/sasl.password or sasl.oauthbearer.* instead)"))
    return out


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if not isinstance(value, str) else value


def translate(config: Mapping[str, Any]) -> dict[str, str]:
    """The librdkafka configuration for a ``kafka.config`` map (``refused`` keys must be gone)."""
    out: dict[str, str] = {}
    for key, value in config.items():
        if key in HANDLED and key != "sasl.jaas.config":
            continue
        if key == "sasl.jaas.config":
            fields = {m.group(1): next(g for g in m.groups()[1:] if g is not None)
                      for m in _JAAS.finditer(str(value))}
            if "username" in fields:
                out["sasl.username"] = fields["username"]
            if "password" in fields:
                out["sasl.password"] = fields["password"]
            continue
        out[RENAMED.get(key, key)] = _value(value)
    return out


SECRET_KEYS = ("password", "secret", "jaas", "token")


def redact(text: str, config: Mapping[str, Any]) -> str:
    """``text`` with the values of secret-looking ``kafka.config`` keys replaced by ``***``."""
    for key, value in config.items():
        if any(word in key.lower() for word in SECRET_KEYS) and str(value):
            text = text.replace(str(value), "***")
            for part in _JAAS.finditer(str(value)):
                secret = next((g for g in part.groups()[1:] if g), "")
                if part.group(1) == "password" and secret:
                    text = text.replace(secret, "***")
    return text
