"""The independent peers' fixtures (module-scoped: each starts once per test module that uses it)."""

from maintenir.devices.tests.independent_peers import knxd_peer, o6_peer, pymodbustcp_peer

__all__ = ["knxd_peer", "o6_peer", "pymodbustcp_peer"]
