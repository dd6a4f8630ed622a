"""One module per vocabulary: the single place each list of codes is spelled.

The database's constraints and views, the staff pages, the CSS class names,
metadata.json and the README tables are built from these lists, or checked
against them by tests/test_vocabularies.py.
"""
