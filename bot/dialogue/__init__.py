"""Channel-agnostic conversation: events in, replies out, state in the store."""

from .engine import Dialogue  # noqa: F401
from .model import Button, Event, Reply, plain  # noqa: F401
