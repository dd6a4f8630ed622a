"""NLM's MeSH lists as look-ups: headings, their allowed subheadings, publication
types, and the "did you mean" suggestions after a miss.

The lists themselves come from installed packages, read and cached by
mesh_loader.py; this module only answers questions about them.
"""

import difflib
import threading


class VocabularyError(RuntimeError):
    """The MeSH lists are not installed (or cannot be read)."""


def norm(text: str) -> str:
    return " ".join(text.lower().split())


def norm_qualifier(text: str) -> str:
    # NLM's examples write "prevention and control" for the qualifier whose
    # name is "prevention & control".
    return norm(text.replace('"', "")).replace(" and ", " & ")


class Vocabulary:
    """MeSH headings, their allowed subheadings, and publication types."""

    def __init__(self, core: dict, extras_loader):
        self.info = core["info"]
        self.qualifiers = core["qualifiers"]
        self._qualifier_bits = {norm(q): i for i, q in enumerate(self.qualifiers)}
        self._topics = core["topics"]
        self._others = core["others"]
        self._pub_types = core["pub_types"]
        self._extras_loader = extras_loader
        self._extras = None
        self._close = {}
        self._lock = threading.Lock()

    # -- look-ups -----------------------------------------------------------

    def heading(self, name: str):
        """(ui, name, kind, mask or None) for a current heading, else None."""
        key = norm(name)
        if key in self._topics:
            ui, real, mask = self._topics[key]
            return ui, real, "topical", mask
        if key in self._others:
            ui, real, kind = self._others[key]
            return ui, real, kind, None
        return None

    def publication_type(self, name: str):
        return self._pub_types.get(norm(name))

    def qualifier_bit(self, name: str):
        return self._qualifier_bits.get(norm_qualifier(name))

    def allowed_qualifiers(self, mask: int) -> list[str]:
        return sorted(q for i, q in enumerate(self.qualifiers) if mask >> i & 1)

    # -- suggestions (only after a miss) -------------------------------------

    def extras(self) -> dict:
        with self._lock:
            if self._extras is None:
                self._extras = self._extras_loader()
            return self._extras

    def name_of(self, ui: str):
        return self.extras()["current"].get(ui)

    def entry_term_for(self, name: str):
        """The current heading a synonym (entry term) belongs to."""
        ui = self.extras()["entry_terms"].get(norm(name))
        return self.name_of(ui) if ui else None

    def renamed_to(self, name: str):
        ui = self.extras()["former"].get(norm(name))
        return self.name_of(ui) if ui else None

    def retired(self, name: str) -> bool:
        return norm(name) in self.extras()["retired"]

    def close_headings(self, name: str, n: int = 3) -> list[str]:
        # About 0.05 s over 31,000 names, so remember answers: the web form
        # re-checks the same query on every edit.
        key = (norm(name), n)
        if key not in self._close:
            keys = list(self._topics) + list(self._others)
            found = difflib.get_close_matches(key[0], keys, n=n, cutoff=0.75)
            self._close[key] = [self.heading(k)[1] for k in found]
        return self._close[key]

    def close_publication_types(self, name: str, n: int = 3) -> list[str]:
        found = difflib.get_close_matches(norm(name), list(self._pub_types), n=n, cutoff=0.6)
        return [self._pub_types[k][1] for k in found]

    def close_qualifiers(self, name: str, among=None, n: int = 3) -> list[str]:
        pool = among if among is not None else self.qualifiers
        lowered = {norm(q): q for q in pool}
        found = difflib.get_close_matches(norm_qualifier(name), list(lowered), n=n, cutoff=0.6)
        return [lowered[k] for k in found]


