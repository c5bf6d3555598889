"""The public SPARQL 1.1 endpoint: routes, protocol parsing, the query guard, the executor, the
worker pool, the Service Description, the worked examples and the response cache.
"""
