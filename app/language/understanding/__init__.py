"""What a caller meant, without a network: the offline brain's ears (Hebrew, English, a bit more).

normalize.py  the input cap, normalisation, clause splitting, detect_language
when.py       days, times, parts of the day, ordinals; a turn read against the offered slots
intents.py    the phrase tables, their priority order and `understand`
gloss.py      the word-for-word English gloss for the transcript
"""

from app.language.understanding.gloss import gloss
from app.language.understanding.intents import Intent, Understanding, understand
from app.language.understanding.normalize import (
    MAX_INPUT_CHARS,
    Language,
    detect_language,
    normalize,
)
from app.language.understanding.when import PART_HOURS, Part, Relation, When

__all__ = [
    "MAX_INPUT_CHARS",
    "PART_HOURS",
    "Intent",
    "Language",
    "Part",
    "Relation",
    "Understanding",
    "When",
    "detect_language",
    "gloss",
    "normalize",
    "understand",
]
