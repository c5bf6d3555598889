"""SPARQL text handling shared by the public endpoint's guard and the remote store."""
