"""A local, faithful stand-in for AceDataCloud's Luma API (development and integration tests)."""

from .server import Simulator

__all__ = ["Simulator"]
