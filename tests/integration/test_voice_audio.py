"""The bounds of a voice note, on real encoded speech (bot/voice/audio.py): what Telegram,
WhatsApp and browsers send is accepted with its length; too long, too large, not audio or
broken is refused as a value."""

from __future__ import annotations

import io
import random
import wave
from fractions import Fraction

import av
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.voice.audio import AudioLimits, decode, probe, probe_in_thread
from bot.voice.results import AudioRefused, VoiceNote
from tests.support.speech import Speech, clip, encode, espeak_available, silence

pytestmark = pytest.mark.skipif(
    not espeak_available(), reason="espeak-ng is not installed: run `make system-deps`"
)

LIMITS = AudioLimits()


@pytest.fixture(scope="module")
def speech() -> Speech:
    return clip("nl", 5)


def padded(speech: Speech, seconds: float) -> Speech:
    """The speech followed by silence, ``seconds`` long in all."""
    missing = int(seconds * speech.sample_rate) - len(speech.pcm) // 2
    return Speech(speech.pcm + b"\0\0" * max(0, missing), speech.sample_rate, speech.text)


@pytest.mark.parametrize(
    ("container", "codec", "mime_type"),
    [
        ("ogg", "opus", "audio/ogg"),  # Telegram voice, WhatsApp voice
        ("webm", "opus", "audio/webm"),  # Chrome and Firefox's recorder
        ("mp4", "aac", "audio/mp4"),  # Safari's recorder, WhatsApp audio
    ],
)
def test_a_voice_note_from_each_channel_is_accepted_with_its_length(
    speech: Speech, container: str, codec: str, mime_type: str
) -> None:
    data = encode(speech, container)  # type: ignore[arg-type]
    note = probe(data)
    assert isinstance(note, VoiceNote), note
    assert (note.container, note.codec, note.mime_type) == (container, codec, mime_type)
    assert note.size_bytes == len(data)
    # AAC adds a frame of priming samples; Opus's pre-skip is removed by the decoder.
    assert note.duration_seconds == pytest.approx(speech.seconds, abs=0.08)


async def test_the_shell_probes_off_the_event_loop(speech: Speech) -> None:
    data = encode(speech, "ogg")
    assert await probe_in_thread(data) == probe(data)


def test_decoding_gives_whisper_its_samples(speech: Speech) -> None:
    decoded = decode(encode(speech, "ogg"), sample_rate=16_000)
    assert not isinstance(decoded, AudioRefused)
    assert decoded.sample_rate == 16_000
    assert len(decoded.pcm) / 4 / 16_000 == pytest.approx(speech.seconds, abs=0.05)
    assert decoded.note == probe(encode(speech, "ogg"))


def test_two_minutes_is_allowed(speech: Speech) -> None:
    note = probe(encode(padded(speech, 119.9), "ogg"))
    assert isinstance(note, VoiceNote), note
    assert note.duration_seconds == pytest.approx(119.9, abs=0.05)


@pytest.mark.parametrize("container", ["ogg", "webm", "mp4"])
def test_longer_than_two_minutes_is_refused(speech: Speech, container: str) -> None:
    assert probe(encode(padded(speech, 121), container)) == AudioRefused("too_long")  # type: ignore[arg-type]


def test_a_lower_limit_is_kept(speech: Speech) -> None:
    limits = AudioLimits(max_seconds=3.0)
    assert probe(encode(speech, "ogg"), limits) == AudioRefused("too_long")
    assert decode(encode(speech, "ogg"), limits) == AudioRefused("too_long")


class _Unseekable(io.RawIOBase):
    """A stream as MediaRecorder writes one: the WebM muxer cannot go back to write the
    duration into the header."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        self.data += chunk
        return len(chunk)

    def seekable(self) -> bool:
        return False


def test_a_long_note_without_a_duration_in_its_header_is_refused_while_decoding() -> None:
    """A 2 MB note at a low bit rate holds far over two minutes; with no duration in the
    header the decoder counts samples and stops at the limit."""
    quiet = silence(600, 48_000)
    sink = _Unseekable()
    with av.open(sink, mode="w", format="webm") as output:
        stream = output.add_stream("libopus", rate=48_000, layout="mono")
        assert isinstance(stream, av.AudioStream)
        stream.bit_rate = 6_000
        step = 48_000
        for start in range(0, len(quiet.pcm) // 2, step):
            frame = av.AudioFrame(format="s16", layout="mono", samples=step)
            frame.planes[0].update(quiet.pcm[start * 2 : (start + step) * 2])
            frame.sample_rate, frame.pts, frame.time_base = 48_000, start, Fraction(1, 48_000)
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    data = bytes(sink.data)
    assert len(data) < LIMITS.max_bytes
    with av.open(io.BytesIO(data), mode="r") as container:
        assert container.duration is None  # nothing to read the length from but the audio
    assert probe(data) == AudioRefused("too_long")


def test_more_than_two_megabytes_is_refused_unread() -> None:
    # Noise: Opus squeezes silence to nothing whatever the bit rate.
    noise = Speech(random.Random(23).randbytes(110 * 48_000 * 2), 48_000, "")
    loud = encode(noise, "ogg", bit_rate=256_000)
    assert len(loud) > LIMITS.max_bytes
    assert probe(loud) == AudioRefused("too_large")
    assert probe(b"\0" * (LIMITS.max_bytes + 1)) == AudioRefused("too_large")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"hello, this is not audio" * 20, "malformed"),
        (bytes(range(256)) * 40, "malformed"),
        # An image: FFmpeg would read it, but only voice-note containers are allowed.
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 600, "unsupported"),
        (b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>" * 10, "malformed"),
    ],
)
def test_what_is_not_a_voice_note_is_refused(data: bytes, reason: str) -> None:
    assert probe(data) == AudioRefused(reason)  # type: ignore[arg-type]


def test_only_voice_note_formats_are_opened(speech: Speech) -> None:
    """FFmpeg reads far more formats than voice notes come in (playlists that open other
    files among them); its demuxer whitelist keeps to ours. A WAV file is audio, but no
    channel sends one."""
    wav = io.BytesIO()
    with wave.open(wav, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(speech.sample_rate)
        out.writeframes(speech.pcm)
    with av.open(io.BytesIO(wav.getvalue())) as container:
        assert container.streams.audio  # FFmpeg alone would take it
    assert probe(wav.getvalue()) == AudioRefused("unsupported")


def test_a_cut_off_note_is_refused_or_shorter(speech: Speech) -> None:
    data = encode(speech, "ogg")
    assert probe(data[:60]) in (AudioRefused("malformed"), AudioRefused("empty"))
    half = probe(data[: len(data) // 2])
    assert isinstance(half, VoiceNote), half
    assert half.duration_seconds < speech.seconds


def test_a_tap_on_the_record_button_is_empty() -> None:
    assert probe(encode(silence(0.1, 48_000), "ogg")) == AudioRefused("empty")


def test_a_video_without_sound_is_not_audio() -> None:
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="webm") as output:
        stream = output.add_stream("libvpx", rate=10)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for index in range(5):
            frame = av.VideoFrame(64, 64, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            frame.pts = index
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    assert probe(buffer.getvalue()) == AudioRefused("not_audio")


@pytest.fixture(scope="module")
def voice_note(speech: Speech) -> bytes:
    return encode(speech, "ogg")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_damaged_notes_are_answered_never_raised(voice_note: bytes, data: st.DataObject) -> None:
    damaged = bytearray(voice_note)
    for _ in range(data.draw(st.integers(1, 30))):
        position = data.draw(st.integers(0, len(damaged) - 1))
        damaged[position] = data.draw(st.integers(0, 255))
    result = probe(bytes(damaged))
    assert isinstance(result, VoiceNote | AudioRefused)
    if isinstance(result, VoiceNote):
        assert result.duration_seconds <= LIMITS.max_seconds + LIMITS.grace_seconds
