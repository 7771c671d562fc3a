"""The shared bridge-agent client behind the Eaglesoft and Dentrix connectors."""

from .client import AgentClient
from .connector import AgentConnector, Feed

__all__ = ["AgentClient", "AgentConnector", "Feed"]
