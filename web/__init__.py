"""Everything Datasette serves to staff: plugins, templates, static files and the
pure helpers they share (metadata.json stays at the top level)."""
