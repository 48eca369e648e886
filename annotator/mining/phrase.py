"""A phrase: one wording many captions share, with its support, position and role.

Its own module so the miners that make phrases (``clause_groups``, ``sequences``)
and ``phrases.mine_phrases``, which calls them, share it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Phrase:
    """A wording shared across captions.

    text: a real wording (a clause group's most typical clause; a word sequence as
    captions write it); support: share of captions that hold it (0..1); position:
    where it usually stands in a caption (0 = first clause, 1 = last); members:
    (caption index, clause) pairs that hold it; terms: the content words most members
    use; role: "effect", "subject", "background", "frame" or "trigger"; kind:
    "clause", "ngram" or "trigger"; core: the part of ``text`` most members share
    ("" when it is the whole text).
    """

    text: str
    support: float
    position: float
    members: tuple[tuple[int, str], ...]
    terms: tuple[str, ...]
    role: str = "effect"
    kind: str = "clause"
    core: str = ""

    @property
    def caption_indices(self) -> frozenset[int]:
        """The captions that contain a member of this phrase."""
        return frozenset(i for i, _ in self.members)

    @property
    def wording(self) -> str:
        """What the template takes from this phrase: its core, else its text."""
        return self.core or self.text

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (for ``--json`` output and the workspace)."""
        return {
            "text": self.text,
            "support": round(self.support, 4),
            "position": round(self.position, 4),
            "members": [[i, c] for i, c in self.members],
            "terms": list(self.terms),
            "role": self.role,
            "kind": self.kind,
            "core": self.core,
        }
