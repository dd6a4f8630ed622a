"""The SQLite store: opening the database (``database``), the schema (``migrations``,
``views``) and every write: PubMed records (``citations``), fetch runs (``runs``),
claims (``claims``), staff curation (``curation``) and candidates (``candidates``)."""
