"""Where per-user dialogue state and anonymous counters live: Redis in production, memory for the demo."""

from .base import Store  # noqa: F401
from .memory import MemoryStore  # noqa: F401
