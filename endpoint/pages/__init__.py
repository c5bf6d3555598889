"""Linked-data pages for people and programs: entity documents, browsing, facets, search,
regions, comparison.
"""
