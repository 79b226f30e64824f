"""The transcription worker: a separate process that holds the Whisper model.

Started by ``WhisperTranscriber`` as ``python -m bot.voice.worker CONFIG_JSON``; it loads the
model once, then answers requests on stdin/stdout (``protocol``) until stdin closes. Being a
process of its own, its CPU time and its GIL are not the service's, it runs at a lower
priority (``nice``), and the service can kill it when it passes its time limit.

Nothing is downloaded: the model is a directory checked by ``config.check_model_directory``,
loaded with ``local_files_only``, and the Hugging Face client is switched offline before
faster-whisper is imported.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from typing import TYPE_CHECKING, Any, BinaryIO

from . import protocol
from .audio import AudioLimits, decode
from .guards import GuardLimits, looks_repetitive
from .results import AudioRefused

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

WHISPER_SAMPLE_RATE = 16_000
OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_OFFLINE": "1",
}
# Whisper's temperature fallback, shortened: each step re-decodes a window that looked like a
# loop, and the guards discard a loop anyway. 0.0 first (greedy/beam), two warmer tries.
TEMPERATURES = (0.0, 0.4, 0.8)


def main(argv: list[str] | None = None) -> int:
    config = json.loads((argv or sys.argv[1:])[0])
    # The protocol gets its own copy of stdout; fd 1 then points at stderr, so anything a
    # library prints (C code included) cannot corrupt the frames.
    channel = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    os.environ.update(OFFLINE_ENVIRONMENT)
    # A core dump would hold a resident's voice.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(int(config["nice"]))
    try:
        model = _load(config)
    except Exception as error:  # whatever the model files do to the loader
        channel.write(protocol.message({"kind": "fatal", "detail": type(error).__name__}))
        return 3
    channel.write(protocol.message({"kind": "ready"}))
    return _serve(model, config, sys.stdin.buffer, channel)


def _load(config: dict[str, Any]) -> WhisperModel:
    from faster_whisper import WhisperModel

    return WhisperModel(
        config["model"],
        device="cpu",
        compute_type=config["compute_type"],
        cpu_threads=int(config["threads"]),
        local_files_only=True,
    )


def _serve(model: WhisperModel, config: dict[str, Any], source: BinaryIO, channel: BinaryIO) -> int:
    limits = AudioLimits(**config["audio_limits"])
    guards = GuardLimits(**config["guard_limits"])
    while True:
        header = protocol.read_frame_blocking(source, protocol.MESSAGE_LIMIT)
        if header is None:
            return 0
        audio = protocol.read_frame_blocking(source, limits.max_bytes)
        if audio is None:
            return 0
        request = protocol.parse(header)
        try:
            result = _transcribe(model, config, limits, guards, request, audio, channel)
        except Exception as error:  # the model failed on this note; the next may work
            result = {"ok": False, "reason": "error", "detail": type(error).__name__}
        channel.write(protocol.message({"kind": "result", **result}))


def _transcribe(
    model: WhisperModel,
    config: dict[str, Any],
    limits: AudioLimits,
    guards: GuardLimits,
    request: dict[str, Any],
    audio: bytes,
    channel: BinaryIO,
) -> dict[str, Any]:
    import numpy as np

    started = time.monotonic()
    decoded = decode(audio, limits, WHISPER_SAMPLE_RATE)
    if isinstance(decoded, AudioRefused):
        return {"ok": False, "reason": "audio_refused", "detail": decoded.reason}
    seconds = decoded.note.duration_seconds
    channel.write(protocol.message({"kind": "decoded", "seconds": seconds}))
    language = str(request["language"])
    if language not in model.supported_languages:
        return {"ok": False, "reason": "unsupported_language", "detail": language}
    segments, _info = model.transcribe(
        np.frombuffer(decoded.pcm, dtype="<f4"),
        language=language,
        task="transcribe",
        beam_size=int(config["beam_size"]),
        temperature=list(TEMPERATURES),
        condition_on_previous_text=False,
        # Silero VAD (shipped in the faster-whisper wheel): silence is skipped rather than
        # given to the model, which is where it invents text.
        vad_filter=True,
    )
    limit, cap = guards.time_limit(seconds), guards.max_chars(seconds)
    texts: list[str] = []
    # The segments are decoded lazily, one window at a time: each check runs between them.
    for segment in segments:
        texts.append(segment.text.strip())
        text = " ".join(part for part in texts if part)
        if len(text) > cap:
            return {"ok": False, "reason": "too_long_output", "detail": str(len(text))}
        if looks_repetitive(text):
            return {"ok": False, "reason": "repetition", "detail": ""}
        if time.monotonic() - started > limit:
            return {"ok": False, "reason": "timeout", "detail": "in worker"}
    text = " ".join(part for part in texts if part)
    if not text:
        return {"ok": False, "reason": "no_speech", "detail": ""}
    return {
        "ok": True,
        "text": text,
        "language": language,
        "seconds": seconds,
        "work": round(time.monotonic() - started, 3),
    }


if __name__ == "__main__":
    sys.exit(main())
