"""Small pieces of SQL built from the vocabularies (evidence/vocabularies/)."""


def quoted_list(codes):
    """``('supports', 'contradicts')``: codes as an SQL list, for IN and CHECK."""
    return "(" + ", ".join("'" + code.replace("'", "''") + "'" for code in codes) + ")"
