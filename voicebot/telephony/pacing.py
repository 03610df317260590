"""When the bot's audio goes out, and when the caller has heard it. Pure: time passed in.

Twilio plays what it is sent at its own pace and echoes marks. Asterisk's AudioSocket
does neither: it writes each frame to the caller as it arrives and cannot take one
back, so audio must go out at the pace it plays (a frame every 20 ms, ``lead`` seconds
early at most, to ride out the event loop's jitter), and a mark is *played* when every
frame queued before it has been sent and had time to play, plus ``allowance`` for the
network and the caller's jitter buffer. chan_websocket queues what it is sent and
answers ``MARK_MEDIA`` itself from Asterisk 22.8: audio may go at once (an infinite
lead) and marks are passed on in order (``native``); on older releases they are
emulated from the same estimate of the playhead.

``Playout`` holds the queue; ``poll(now)`` says what to do now, ``next_wake(now)`` when
to ask again. A barge-in ``clear``s the queue (and forgets marks not yet played). With
``fill`` (AudioSocket's), the line never runs dry: while nothing is queued, a frame of
silence goes out every 20 ms, as chan_websocket does by itself, so the caller's side
hears a steady stream and no media timer there mistakes a pause for a dead call.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from voicebot.errors import OverloadedError

FRAME_SECONDS = 0.02
DEFAULT_LEAD = 0.04  # two frames ahead of the playhead
DEFAULT_ALLOWANCE = 0.06  # past the last frame's end before its mark counts as heard
MAX_QUEUED_FRAMES = 1500  # 30 s of 20 ms frames; the speaker keeps it under a second


@dataclass(frozen=True)
class SendAudio:
    """Send this frame to the carrier now."""

    frame: bytes


@dataclass(frozen=True)
class SendMark:
    """Pass this mark to the carrier now (it answers when the audio before it played)."""

    name: str


@dataclass(frozen=True)
class MarkDue:
    """Everything queued before this emulated mark has played: tell the session."""

    name: str


Action = SendAudio | SendMark | MarkDue


@dataclass(frozen=True)
class _Mark:
    name: str
    native: bool


class Playout:
    """The carrier's side of the bot's audio, as far as the service can know it."""

    def __init__(self, frame_seconds: float = FRAME_SECONDS, lead: float = DEFAULT_LEAD,
                 allowance: float = DEFAULT_ALLOWANCE,
                 max_frames: int = MAX_QUEUED_FRAMES, fill: bytes | None = None) -> None:
        if frame_seconds <= 0 or lead < 0 or allowance < 0:
            raise ValueError("frames take time, and lead and allowance are not negative")
        if fill is not None and not math.isfinite(lead):
            raise ValueError("a line filled with silence is paced: its lead is finite")
        self.frame_seconds = frame_seconds
        self.lead = lead
        self.allowance = allowance
        self.max_frames = max_frames
        self._queue: deque[bytes | _Mark] = deque()
        self._frames = 0  # frames in the queue
        self._due: deque[tuple[float, str]] = deque()  # emulated marks: (when heard, name)
        self.fill = fill
        self.playhead: float | None = None  # when the last frame sent ends playing
        self.heard_until: float | None = None  # ... the last frame that was not filling
        self.frames_sent = 0

    @property
    def queued_frames(self) -> int:
        return self._frames

    def push_audio(self, frame: bytes) -> None:
        """Queue one frame (20 ms) to be sent at its time."""
        if self._frames >= self.max_frames:
            raise OverloadedError(f"{self._frames} frames already wait to be played")
        self._queue.append(frame)
        self._frames += 1

    def push_mark(self, name: str, native: bool = False) -> None:
        """Queue a mark behind the audio queued so far: ``native`` ones are passed on to
        the carrier, the others come back as ``MarkDue`` when that audio has played."""
        self._queue.append(_Mark(name, native))

    def clear(self, now: float, recalled: bool = True) -> None:
        """Barge-in: drop the audio not sent yet and the marks not yet played. With
        ``recalled`` the carrier drops what it was sent but has not played too (chan_websocket's
        ``FLUSH_MEDIA``); without it (AudioSocket), what was sent still plays."""
        self._queue.clear()
        self._frames = 0
        self._due.clear()
        if recalled or self.playhead is None or self.playhead < now:
            self.playhead = now
        if recalled or self.heard_until is None or self.heard_until < now:
            self.heard_until = now

    def idle(self, now: float) -> bool:
        """Nothing queued, no mark pending, and everything sent has played."""
        return (not self._queue and not self._due
                and (self.heard_until is None or self.heard_until <= now))

    def poll(self, now: float) -> list[Action]:
        """What is due at ``now``, in order."""
        actions: list[Action] = []
        while self._queue:
            head = self._queue[0]
            if isinstance(head, _Mark):
                self._queue.popleft()
                if head.native:
                    actions.append(SendMark(head.name))
                else:
                    heard = (self.playhead if self.playhead is not None else now)
                    self._due.append((heard + self.allowance, head.name))
                continue
            start = now if self.playhead is None else max(self.playhead, now)
            if start - self.lead > now:
                break  # not yet: the carrier already holds ``lead`` of audio
            self._queue.popleft()
            self._frames -= 1
            self.playhead = self.heard_until = start + self.frame_seconds
            self.frames_sent += 1
            actions.append(SendAudio(head))
        while self.fill is not None and not self._queue:
            start = now if self.playhead is None else max(self.playhead, now)
            if start - self.lead > now:
                break
            self.playhead = start + self.frame_seconds
            actions.append(SendAudio(self.fill))
        while self._due and self._due[0][0] <= now:
            actions.append(MarkDue(self._due.popleft()[1]))
        return actions

    def next_wake(self, now: float) -> float | None:
        """When ``poll`` will next have something to do (None: not until more is queued)."""
        times = []
        if self.fill is not None and not self._queue:
            times.append(now if self.playhead is None else max(now, self.playhead - self.lead))
        if self._queue:
            if isinstance(self._queue[0], _Mark) or self.playhead is None:
                times.append(now)
            elif math.isfinite(self.lead):
                times.append(max(now, self.playhead - self.lead))
            else:
                times.append(now)
        if self._due:
            times.append(self._due[0][0])
        return min(times) if times else None
