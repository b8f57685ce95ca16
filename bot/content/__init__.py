"""Load and validate content/ into typed objects."""

from .loader import Content, load_content  # noqa: F401
from .yamlfile import ContentError  # noqa: F401
