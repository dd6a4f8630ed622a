"""Author names as people type them: the key a name is looked up by.

PubMed users type "Hügle", "hugle", "HÜGLE T" or "Garcia-Lopez" for the same
person. ``name_key`` folds case, accents and punctuation away, so the stored
name and the typed one meet on one indexed column (citation_authors.name_key).
The standard library's Unicode decomposition does the accents; the few letters
it does not decompose (ø, ł, æ...) are spelled out below.
"""

import re
import unicodedata

# Letters NFKD leaves whole, as an English-speaking typist writes them.
_SPELLED_OUT = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ı": "i", "æ": "ae",
                              "œ": "oe", "þ": "th"})
_NOT_LETTERS = re.compile(r"[\W_]+")
# "T", "TO", "JT": PubMed's initials, up to three capitals.
INITIALS = re.compile(r"^[A-Z]{1,3}$")


def name_key(text):
    """'Hügle' → 'hugle', 'García-López' → 'garcia lopez', "O'Brien" → 'o brien'; None when empty."""
    if not text:
        return None
    if text.isascii():  # most names: nothing to decompose (an import keys hundreds of thousands)
        letters = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPELLED_OUT))
        letters = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_SPELLED_OUT)
    return _NOT_LETTERS.sub(" ", letters).strip() or None


def author_key(author):
    """The key of an author row: the surname, or a group's name."""
    return name_key(author.get("last_name") or author.get("collective_name"))
