"""The core of a clause group: the part of its typical clause most members share.

Each member is aligned word by word with the typical clause (``Levenshtein.opcodes``
on the words' keys); the shared words, trimmed of function words at the edges, are
the core, with the subject's name inside it turned into a slot.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from annotator.mining.lexicon import EN_DETERMINERS
from annotator.mining.spans import FRAME, SUBJECT, Caption, Clause, Token
from annotator.mining.wording import edge_words, span_role

_NAMING = frozenset({"the", "this", "that"})


def clause_core(
    parsed: list[Caption], rep: tuple[int, int], members: list[tuple[int, int]], lang: str
) -> tuple[str, str]:
    """The part of the typical clause REP most MEMBERS share, and that part's role.

    Each member is aligned word by word with REP; a word of REP is shared when at least
    half of the other members have it in the same place. The core runs from the first
    shared word to the last, the frame words that introduce a subject left out; a run
    that varies at either end is one clip's own words and is dropped (a slot for the
    subject's name inside the core is made later, ``subject_slots``). The role is the
    role most members give the core's shared words: a group whose shared words name
    the subject ("a panda drinking coffee") is the subject, whatever its support.
    """
    rep_clause = parsed[rep[0]].clauses[rep[1]]
    toks = rep_clause.tokens
    others = [m for m in members if m != rep][:32]  # enough to vote; bounded cost
    keys = [t.key for t in toks]
    votes = [0] * len(toks)
    other_roles: list[list[str | None]] = []
    for ci, li in others:
        o_toks = parsed[ci].clauses[li].tokens
        roles: list[str | None] = [None] * len(toks)
        for op in Levenshtein.opcodes(keys, [t.key for t in o_toks]):
            if op.tag == "equal":
                for k in range(op.src_end - op.src_start):
                    roles[op.src_start + k] = o_toks[op.dest_start + k].role
        # A word the other member says elsewhere is shared too: a paraphrase may put
        # the parts in another order ("一阵花瓣出现在她周围" / "她周围出现了一阵花瓣").
        where = {t.key: t.role for t in o_toks}
        for k, key in enumerate(keys):
            if roles[k] is None and key in where:
                roles[k] = where[key]
            if roles[k] is not None:
                votes[k] += 1
        other_roles.append(roles)
    need = 0.5 * max(len(others), 1)
    shared = [v >= need for v in votes] if others else [True] * len(toks)
    # Leading frame words (and a trigger standing alone before them) are not the core.
    start = 0
    while start < len(toks) and toks[start].role in (FRAME,):
        start += 1
    idx = [k for k in range(start, len(toks)) if shared[k]]
    if not idx:
        return "", FRAME
    a, b = idx[0], idx[-1] + 1
    # A leading run that varies is kept when it is the subject's name at the clause
    # start ("the cat is left glowing" → "{pronoun} is left glowing", slotted later).
    if a > start and start == 0 and a <= 4:
        a = 0
    # A name that varies at the clause's end, after the shared words ("presses on the
    # dog"), is kept too: it becomes an {object} slot.
    naming = b < len(toks) and (toks[b].key in _NAMING or toks[b - 1].key in _NAMING)
    if lang == "en" and naming and len(toks) - b <= 3:
        b = len(toks)
    a, b = _trim_edges(toks, shared, a, b, lang)
    if a >= b:
        return "", FRAME
    text = _slot_subject_name(rep_clause, toks, shared, a, b, lang)
    role = span_role(
        [toks[k].role for k in range(a, b) if shared[k]],
        [[r[k] for k in range(a, b) if shared[k]] for r in other_roles],
        [toks[k].key for k in range(a, b) if shared[k]],
        lang,
    )
    return text, role


def _slot_subject_name(
    clause: Clause, toks: list[Token], shared: list[bool], a: int, b: int, lang: str
) -> str:
    """The clause's text from word A to word B, the subject's name (words that name the
    clip's subject and vary from member to member, with the article before them) turned
    into a slot: "a blue vase being squeezed flat" → "{pronoun} being squeezed flat"."""
    out, last = [], toks[a].start
    k = a
    while k < b:
        if toks[k].role != SUBJECT or shared[k]:
            k += 1
            continue
        j = k
        while j < b and toks[j].role == SUBJECT and not shared[j]:
            j += 1
        i = k
        if lang == "en" and i > a and toks[i - 1].key in EN_DETERMINERS:
            i -= 1  # "a blue vase": the article goes with the name
        slot = "{ta}" if lang == "zh" else ("{pronoun}" if i == a else "{object}")
        out.append(clause.text[last - clause.start : toks[i].start - clause.start] + slot)
        last = toks[j - 1].end
        k = j
    out.append(clause.text[last - clause.start : toks[b - 1].end - clause.start])
    return "".join(out)


def _trim_edges(
    toks: list[Token], shared: list[bool], a: int, b: int, lang: str
) -> tuple[int, int]:
    """Drop function words left dangling at either end ("a pile of", "and then")."""
    lead, tail = edge_words(lang)
    while b > a and (toks[b - 1].key in tail or (toks[b - 1].key == "_" and not shared[b - 1])):
        b -= 1
    while a < b and toks[a].key in lead:
        a += 1
    return a, b
