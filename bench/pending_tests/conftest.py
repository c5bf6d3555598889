"""The pending tests use the reliability fixtures (real server, outbound detector)."""

from tests.reliability.conftest import _outbound_session, outbound, served  # noqa: F401
