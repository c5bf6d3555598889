"""Real SPARQL servers on loopback for integration tests (filled in by the remote-store work)."""
