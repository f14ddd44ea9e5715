"""State stores: where checkpoints are saved, chosen by URL (see ``store.open_store``)."""

from .model import FORMAT_VERSION, Checkpoint, StateError, StateLocked
from .store import StateStore, open_store

__all__ = ["FORMAT_VERSION", "Checkpoint", "StateError", "StateLocked", "StateStore", "open_store"]
