"""Progress of the long file work (joining parts, hashing), on an operator's terminal.

On a terminal: one line per file, redrawn in place as bytes go by. Anywhere else (a
log, a Docker build): one line when a file starts and one when it ends, so the output
stays readable.
"""

from __future__ import annotations

from typing import TextIO

BAR_WIDTH = 24


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:,.1f} MB"


class Progress:
    """Reports one file at a time: ``begin``, any number of ``advance``, then ``end``.

    ``Progress()`` (no stream) reports nothing: the default for library calls.
    """

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None) -> None:
        self._stream = stream
        if tty is None:
            isatty = getattr(stream, "isatty", None)
            tty = bool(isatty and isatty())
        self._tty = tty
        self._label = ""
        self._total = 0
        self._done = 0
        self._drawn = -1  # last percentage drawn on the terminal

    def begin(self, label: str, total: int) -> None:
        """Start reporting ``label``, ``total`` bytes to go."""
        self._label, self._total, self._done, self._drawn = label, total, 0, -1
        if self._stream is None:
            return
        if self._tty:
            self._draw()
        else:
            self._write(f"{label}: {_megabytes(total)}...\n")

    def advance(self, count: int) -> None:
        """``count`` more bytes done."""
        self._done += count
        if self._stream is not None and self._tty:
            self._draw()

    def end(self, outcome: str) -> None:
        """Finish the current file; ``outcome`` says how it went ("SHA-256 ok")."""
        if self._stream is None:
            return
        if self._tty:
            self._drawn = -1  # the last state, even if that percentage was drawn
            self._draw()
            self._write(f" {outcome}\n")
        else:
            self._write(f"{self._label}: {_megabytes(self._done)}, {outcome}\n")

    def _draw(self) -> None:
        percent = 100 if self._total <= 0 else min(100, self._done * 100 // self._total)
        if percent == self._drawn:
            return  # at most about a hundred redraws per file
        self._drawn = percent
        filled = BAR_WIDTH * percent // 100
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self._write(f"\r\x1b[K{self._label} [{bar}] {_megabytes(self._done)} / "
                    f"{_megabytes(self._total)} {percent:3d}%")

    def _write(self, text: str) -> None:
        assert self._stream is not None
        self._stream.write(text)
        self._stream.flush()
