"""Does a question touch the plan at all? A topic must show evidence of being about the plan:
an acronym or number the plan uses, or a word pair the plan writes that is not an everyday
term such as "thủ tục", "đăng ký"; words the plan never uses count neither way."""
from __future__ import annotations

from bot.answer.index import Index
from bot.answer.vocab import DUTY_WORDS, GENERIC_TERMS, STOP

# where a question's leading noun phrase ends: a linking word or a question word ("chế độ phụ
# cấp | của cán bộ xã", "tiền đền bù | cho dân")
_HEAD_ENDS = {"cua", "cho", "doi", "tai", "o", "trong", "ve", "khi", "thuoc", "de", "ai", "gi",
              "nao", "sao", "the", "bao", "la", "co", "duoc", "phai", "can", "voi", "tu", "den",
              "theo", "nhu", "lam", "|"}
# question words that end the head only in their phrase: "bao | nhiêu", "thế | nào"; elsewhere
# they are syllables of the head ("báo cáo tổng kết", "cụ thể")
_HEAD_ENDS_BEFORE = {"bao": {"nhieu", "gio", "lau"}, "the": {"nao"}}

# a word in more than this share of the plan's bullets ("để", "triển khai") names no topic alone
BROAD_SHARE = 0.25


def topic_evidence(idx: Index, rest: list[str], said: list[str]) -> bool:
    """Do the words besides the agency's name point at something the plan deals with?

    `rest` are the words left after duty words, `said` the same stretch with them: a pair
    the plan writes ("nhà ở | xã hội") counts even when a word of it is a duty word; words the
    plan never uses ("xyz", a typo, chat) do not, nor does one word found all over the plan.
    """
    if any(w in idx.marks or (w in idx.postings and w not in GENERIC_TERMS
                              and len(idx.postings[w]) <= BROAD_SHARE * len(idx.docs))
           for w in rest):
        return True
    pairs = (f"{a} {b}" for a, b in zip(said, said[1:], strict=False))
    return any(p in idx.postings and p not in GENERIC_TERMS and not
               set(p.split()) <= DUTY_WORDS for p in pairs)


def plausible(idx: Index, content: list[str], vocabulary: set[str] = frozenset()) -> bool:
    """Does the question touch the plan at all?

    More than half of its words the plan uses must sit in a word pair the plan also has, or
    be one of the plan's marked terms (acronyms such as "SIPAS", numbers such as "1721").
    Single Vietnamese syllables prove little: "lãi suất" shares both with the plan ("lại",
    "suất đầu tư").
    One known word may stand alone. Words put in the plan's terms from an everyday phrase
    (`vocabulary`, knowledge/vocabulary.json) count as covered: "bồi thường" is what the plan
    writes even when "bồi" alone is a stop word ("bởi").
    """
    known = [w for w in content if w in idx.postings]
    # an everyday phrase put in the plan's terms is evidence even when a stop syllable split
    # the plan's pair ("đền bù": "đến" is a stop word, "bù" is left alone)
    put = any(w in vocabulary and w not in GENERIC_TERMS for w in content)
    if not known or not (put or _has_evidence(idx, content)):
        return False
    if len(content) == 1:
        return True
    covered = set()
    for j, (a, b) in enumerate(zip(content, content[1:], strict=False)):
        if (a, b) in idx.pairs:
            covered |= {j, j + 1}
    covered |= {j for j, w in enumerate(content) if w in idx.marks or w in vocabulary}
    # words the plan never uses (chat, a slip, a name) neither prove nor disprove anything
    if len(covered) > 0.5 * len(known):
        return True
    # or a phrase only a few bullets use, in a bullet that holds most of the question
    specific = [f"{a} {b}" for a, b in zip(content, content[1:], strict=False)
                if 0 < len(idx.postings.get(f"{a} {b}", ())) <= 3]
    return bool(specific) and _best_coverage(idx, content, specific) >= 0.55


def _has_evidence(idx: Index, content: list[str]) -> bool:
    """Does the question name something distinctive of the plan?

    An acronym or number the plan uses, or a word pair read left to right the way the plan
    writes it ("giải phóng mặt bằng"), other than everyday terms: "thủ tục | đăng ký | kết hôn"
    pairs only into everyday terms and a pair the plan never has.
    """
    if any(w in idx.marks for w in content):
        return True
    if len(content) == 1:
        return content[0] not in GENERIC_TERMS
    i = 0
    while i < len(content) - 1:
        pair = f"{content[i]} {content[i + 1]}"
        if pair in idx.postings:
            if pair not in GENERIC_TERMS:
                return True
            i += 2
        else:
            i += 1
    return False


def _best_coverage(idx: Index, content: list[str], phrases: list[str]) -> float:
    """The largest share of the question's information one bullet holding a phrase has."""
    words = list(dict.fromkeys(content))
    total = sum(idx.idf.get(w, idx.max_idf) for w in words)
    best = 0.0
    for i in {i for p in phrases for i in idx.postings[p]}:
        toks = set(idx.canon_text(idx.docs[i].text))
        best = max(best, sum(idx.idf.get(w, idx.max_idf) for w in words if w in toks) / total)
    return best


# a topic answer must hold at least this share of the question's information (idf mass, words
# the plan never uses counted at the highest idf) in one of its best bullets; calibrated on the
# visible question sets (their lowest topic holds 0.41) and everyday office questions written
# apart (0.24-0.36 for those that share a few words with the plan)
MIN_COVERAGE = 0.35


def coverage(idx: Index, content: list[str], docs: list[int], foreign: set[str]) -> float:
    """The largest share of the question's information that one of `docs` holds; `foreign`
    words (typed with marks the plan never uses) count as the plan's unknown words."""
    words = list(dict.fromkeys(content))
    total = sum(idx.max_idf if w in foreign else idx.idf.get(w, idx.max_idf) for w in words)
    if not total:
        return 1.0
    best = 0.0
    for i in docs:
        toks = set(idx.canon_text(f"{idx.docs[i].text} {idx.docs[i].heading}"))
        held = sum(idx.idf.get(w, idx.max_idf) for w in words if w in toks and w not in foreign)
        best = max(best, held / total)
    return best


def head_covered(idx: Index, seq: list[str], vocabulary: set[str] = frozenset()) -> bool:
    """Is the noun phrase a question opens with the plan's? Vietnamese puts the head first and
    its modifiers after it: in "chế độ phụ cấp công vụ của cán bộ xã" what is asked is "chế
    độ phụ cấp", which the plan never writes; "công vụ", "cán bộ" only qualify it. A head of
    three meaningful words or more must have at least half of them in word pairs the plan
    writes (compounds, read between neighbours with their stop syllables), or be put in the
    plan's terms (`vocabulary`), or be one of its marked terms."""
    head: list[str] = []
    for j, w in enumerate(seq):
        if w in _HEAD_ENDS and (w not in _HEAD_ENDS_BEFORE
                                or seq[j + 1:j + 2] and seq[j + 1] in _HEAD_ENDS_BEFORE[w]):
            break
        head.append(w)
    if len(head) == len(seq) or seq[len(head)] != "cua":
        return True  # only "X của Y" tells the head from what qualifies it for sure
    meaningful = [j for j, w in enumerate(head) if w not in STOP]
    if len(meaningful) < 3:
        return True
    covered = {j for j, w in enumerate(head) if w in idx.marks or w in vocabulary}
    for j, (a, b) in enumerate(zip(head, head[1:], strict=False)):
        if f"{a} {b}" in idx.postings:
            covered |= {j, j + 1}
    return 2 * len(covered & set(meaningful)) >= len(meaningful)
