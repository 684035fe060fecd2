"""The answering engine: one question in, one `Answer` out, whatever the channel.

    answer(kb, question, today=None) -> Answer
    agency_answer(kb, agency_id) -> Answer     one agency's duties (/nhiemvu)
    partner_answer(kb, agency_id) -> Answer    the tasks naming it "phối hợp" (partner only)
    pair_answer(kb, a, b) -> Answer            tasks one of two agencies leads, the other partners
    general_duties_answer(kb) -> Answer        Mục 1, IV.1, IV.3: binding every agency
    objectives_answer(kb) -> Answer            part II (/muctieu)
    upcoming_answer(kb, today) -> Answer       deadlines still ahead
    cli_ask(question, as_json) -> int          `python -m bot ask [--json] QUESTION|-`

Full dates read dd/mm/yyyy (bot.calendar.fmt_date); the plan's own "15/6" stays as written.
Everything quoted comes from the plan's text; nothing is paraphrased into new facts.
Imports stay light (no database, no channel library) so `ask` starts fast.

The modules, in the order a question meets them:
    engine      the order in which a question is read (the reading rules are described there)
    question    a question read once: folded, typo-fixed, agency mentions found
    index       the per-Knowledge index: BM25 over the plan's bullets, vocabulary, places
    vocab       word lists and whole-phrase matching
    help        greetings and how to use the bot
    sections    a section by its number
    references  another document the plan cites, by its number
    document    the plan itself (number, signer, resolution)
    everyday    information the plan does not hold (prices, phone numbers, people)
    province    UBND tỉnh, the plan's issuer
    reports     the periodic reports one agency owes
    general     the duties binding every agency
    agency      one agency's duties
    partners    where an agency partners; what two agencies do together; who works with whom
    deadline    deadlines asked about; schedule: deadlines put in words
    objectives  the plan's objectives; the figure words of a question ("phần trăm", "2030")
    evidence    does a question touch the plan at all
    topic       a topic, ranked by BM25
    render      text helpers shared by the answers
    model       the `Answer`
    cli         `python -m bot ask`
"""
from bot.answer.agency import agency_answer
from bot.answer.cli import cli_ask
from bot.answer.document import document_answer
from bot.answer.engine import answer
from bot.answer.general import general_duties_answer
from bot.answer.index import Index, index_for
from bot.answer.model import INTENTS, Answer
from bot.answer.objectives import objectives_answer
from bot.answer.partners import pair_answer, partner_answer
from bot.answer.province import province_committee_answer
from bot.answer.reports import agency_reports_answer
from bot.answer.schedule import next_occurrence, upcoming_answer

__all__ = [
    "INTENTS",
    "Answer",
    "Index",
    "agency_answer",
    "agency_reports_answer",
    "answer",
    "cli_ask",
    "document_answer",
    "general_duties_answer",
    "index_for",
    "next_occurrence",
    "objectives_answer",
    "pair_answer",
    "partner_answer",
    "province_committee_answer",
    "upcoming_answer",
]
