"""HTTP machinery every blueprint shares: content negotiation, serialisation, errors,
conditional requests, URLs, links and the XML filter.
"""
