"""Test speech made on this machine: espeak-ng (Debian, ``make system-deps``) speaks known
sentences, PyAV encodes them as the channels send them (OGG/Opus like a Telegram or WhatsApp
voice note, WebM/Opus like Chrome's recorder, MP4/AAC like Safari's), and ``word_error_rate``
compares a transcript with what was said. Used by the voice tests and ``bench.transcription``.

Nothing is downloaded and nothing is committed: a clip is made in well under a second.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
import wave
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import av

Container = Literal["ogg", "webm", "mp4"]

# espeak-ng's voice per language (American English: its spelling is Whisper's).
VOICES = {"en": "en-us", "nl": "nl", "tr": "tr", "ar": "ar", "uk": "uk"}
# A slow, clear speaker (140 words a minute, 80 ms between words), as one speaks to a machine:
# Whisper base hears espeak-ng's Dutch at its default pace badly (about 70 % of words wrong
# against 42 % like this, on five of the sentences below).
ESPEAK_PACE = ("-s", "140", "-g", "8")

# Distinct sentences (a repeated sentence would look like a loop to the repetition check),
# in the words reporters use (docs/domain.md's typical signals).
SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "My neighbor is often alone and hardly ever has visitors.",
        "I have not seen her for days and her curtains are closed.",
        "The mail is piling up behind her front door.",
        "She told me at the checkout that she feels lonely.",
        "Her husband died last spring and since then she rarely goes out.",
        "He comes to the shop every morning just to talk for a while.",
        "His daughter lives far away and cannot visit him often.",
        "He looks tired and his clothes have not been washed.",
        "She cares for her sick sister and seems very overloaded.",
        "Please call me back this afternoon after four o'clock.",
        "I work at the supermarket on the market square.",
        "I think he would like to drink coffee with someone.",
        "The garden has not been kept for a long time.",
        "She asked me whether there is a meeting place nearby.",
    ),
    "nl": (
        "Mijn buurvrouw is vaak alleen en krijgt bijna nooit bezoek.",
        "Ik heb haar al dagen niet gezien en de gordijnen zijn dicht.",
        "De post stapelt zich op achter haar voordeur.",
        "Ze vertelde mij bij de kassa dat ze zich eenzaam voelt.",
        "Haar man is vorig jaar overleden en sindsdien gaat ze weinig de deur uit.",
        "Hij komt elke ochtend naar de winkel om even te praten.",
        "Zijn dochter woont ver weg en kan niet vaak langskomen.",
        "Hij ziet er moe uit en zijn kleren zijn niet gewassen.",
        "Ze zorgt voor haar zieke zus en lijkt erg overbelast.",
        "Wilt u mij vanmiddag na vier uur terugbellen?",
        "Ik werk bij de supermarkt aan het marktplein.",
        "Ik denk dat hij graag met iemand koffie wil drinken.",
        "De tuin wordt al lange tijd niet meer bijgehouden.",
        "Ze vroeg mij of er een ontmoetingsplek in de buurt is.",
    ),
    "tr": (
        "Komşum çoğu zaman yalnız ve neredeyse hiç misafiri yok.",
        "Onu günlerdir görmedim ve perdeleri kapalı.",
        "Lütfen beni bu öğleden sonra arayın.",
    ),
    "ar": (
        "جارتي وحيدة في كثير من الأحيان ولا يزورها أحد تقريبا.",
        "لم أرها منذ أيام والستائر مغلقة.",
        "البريد يتراكم خلف باب بيتها.",
        "قالت لي عند الصندوق إنها تشعر بالوحدة.",
        "توفي زوجها في الربيع الماضي ومنذ ذلك الحين نادرا ما تخرج.",
        "من فضلكم اتصلوا بي بعد الظهر.",
    ),
}

_PAUSE_SECONDS = 0.4


@dataclass(frozen=True)
class Speech:
    pcm: bytes  # mono signed 16-bit little-endian
    sample_rate: int
    text: str  # what was said

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def say(text: str, language: str) -> Speech:
    """One utterance, as espeak-ng speaks it."""
    done = subprocess.run(
        ["espeak-ng", "-v", VOICES[language], *ESPEAK_PACE, "--stdout", text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with wave.open(io.BytesIO(done.stdout)) as wav:
        assert wav.getsampwidth() == 2
        assert wav.getnchannels() == 1
        return Speech(wav.readframes(wav.getnframes()), wav.getframerate(), text)


def clip(language: str, seconds: float, first: int = 0) -> Speech:
    """A note of ``seconds``: whole sentences from ``SENTENCES`` (from ``first`` on, round
    again if needed) with a pause between them, as many as fit (at least one), then silence
    to the full length, as a recording ends."""
    sentences = SENTENCES[language]
    parts: list[Speech] = []
    length = 0.0
    index = first
    while True:
        part = say(sentences[index % len(sentences)], language)
        if parts and length + _PAUSE_SECONDS + part.seconds > seconds:
            break
        length += part.seconds + (_PAUSE_SECONDS if parts else 0.0)
        parts.append(part)
        index += 1
    rate = parts[0].sample_rate
    pause = b"\0\0" * int(rate * _PAUSE_SECONDS)
    pcm = pause.join(part.pcm for part in parts)
    pcm += b"\0\0" * max(0, int(seconds * rate) - len(pcm) // 2)
    return Speech(pcm, rate, " ".join(part.text for part in parts))


def silence(seconds: float, sample_rate: int = 16_000) -> Speech:
    return Speech(b"\0\0" * int(seconds * sample_rate), sample_rate, "")


_CODECS: dict[Container, tuple[str, int, int]] = {
    # container: (encoder, sample rate, bit rate); Opus always runs at 48 kHz.
    "ogg": ("libopus", 48_000, 24_000),
    "webm": ("libopus", 48_000, 32_000),
    "mp4": ("aac", 16_000, 32_000),
}


def encode(speech: Speech, container: Container = "ogg", bit_rate: int | None = None) -> bytes:
    """The speech in a real container with a real codec, as a phone or browser sends it."""
    codec, rate, default_bit_rate = _CODECS[container]
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container) as output:
        stream = output.add_stream(codec, rate=rate, layout="mono")
        assert isinstance(stream, av.AudioStream)
        stream.bit_rate = bit_rate or default_bit_rate
        chunk = 1024
        for start in range(0, len(speech.pcm) // 2, chunk):
            data = speech.pcm[start * 2 : (start + chunk) * 2]
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(data) // 2)
            frame.planes[0].update(data)
            frame.sample_rate = speech.sample_rate
            frame.pts = start
            frame.time_base = Fraction(1, speech.sample_rate)
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return buffer.getvalue()


def normalise(text: str) -> list[str]:
    """Words for the error rate: lower case, no punctuation."""
    kept = "".join(
        " " if unicodedata.category(char).startswith("P") else char for char in text.lower()
    )
    return re.sub(r"\s+", " ", kept).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / words said: Levenshtein over words."""
    said, heard = normalise(reference), normalise(hypothesis)
    if not said:
        return 0.0 if not heard else 1.0
    previous = list(range(len(heard) + 1))
    for i, word in enumerate(said, start=1):
        current = [i]
        for j, other in enumerate(heard, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other))
            )
        previous = current
    return previous[-1] / len(said)
