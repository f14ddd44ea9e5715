"""Kafka source and sink for seatunnel-py, on confluent-kafka (librdkafka)."""
