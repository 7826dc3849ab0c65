"""Reading untrusted input files and writing output files safely, for the command lines.

Pure module (standard library only), shared by every ``oppvekst/*/cli.py``. The CLI contract
(CONTRIBUTING/HELPERS: bad input is one line on stderr and exit code 2) needs every hostile
input to end as one ``SafeIOError`` with a one-line message, never a traceback:

* input is read with a size cap, so ``/dev/zero`` or a runaway pipe cannot exhaust memory;
* text must be UTF-8 (a byte-order mark is allowed); JSON is strict: no NaN/Infinity, integers
  of at most ``MAX_INT_DIGITS`` digits (Python refuses to convert longer ones), nesting of at
  most ``MAX_DEPTH`` levels (deeper input would exhaust the recursion limit);
* output is written atomically: a temporary file in the target's own directory, flushed and
  fsynced, then renamed over the target, but only when the target is absent or a regular file.
  A device node, FIFO or other special file is written in place and never replaced
  (``--output /dev/null`` works, ``--output /dev/full`` reports "No space left on device").

The argparse ``type=`` helpers refuse non-finite floats and out-of-range integers with a clear
message, before any digits are converted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

MAX_INPUT_BYTES = 64 * 1024 * 1024
MAX_INT_DIGITS = 1000
MAX_DEPTH = 200


class SafeIOError(ValueError):
    """Input or output failed; the message is one line naming the problem."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


def os_reason(exc: BaseException) -> str:
    """A short reason for an OSError (``strerror`` when there is one)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


# -- reading ---------------------------------------------------------------------------------


def _read_capped(stream: BinaryIO, limit: int, label: str) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise SafeIOError(f"{label} is larger than {limit // (1024 * 1024)} MiB")
    return data


def read_bytes(source: str | os.PathLike[str], *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a file (``-`` is standard input), at most ``limit`` of them."""
    name = os.fspath(source)
    if name == "-":
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:  # a text stream put in place of stdin (tests, embedding)
            text = sys.stdin.read(limit + 1)
            if len(text) > limit:
                raise SafeIOError(f"standard input is larger than {limit // (1024 * 1024)} MiB")
            return text.encode("utf-8", "surrogatepass")
        return _read_capped(buffer, limit, "standard input")
    try:
        with open(name, "rb") as handle:
            return _read_capped(handle, limit, f"input file {name}")
    except FileNotFoundError:
        raise SafeIOError(f"input file not found: {name}") from None
    except OSError as exc:
        raise SafeIOError(f"cannot read input file {name}: {os_reason(exc)}") from None


def decode_utf8(data: bytes, label: str) -> str:
    """Strict UTF-8 (an optional byte-order mark is dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SafeIOError(
            f"{label}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def read_text(source: str | os.PathLike[str], *, limit: int = MAX_INPUT_BYTES) -> str:
    name = os.fspath(source)
    label = "standard input" if name == "-" else f"input file {name}"
    return decode_utf8(read_bytes(source, limit=limit), label)


def _nesting_depth_exceeds(text: str, limit: int) -> bool:
    """True when brackets outside strings nest deeper than ``limit``. Runs only when the
    text has more than ``limit`` opening brackets in total, so ordinary input costs nothing."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def loads_json(
    text: str,
    *,
    label: str = "input",
    parse_float: Callable[[str], Any] | None = None,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
    max_depth: int = MAX_DEPTH,
    wording: str = "invalid JSON",
) -> Any:
    """Strict JSON: no NaN/Infinity, bounded integers and nesting; errors as ``SafeIOError``
    whose message starts with ``wording`` and names ``label``."""

    def reject_constant(name: str) -> NoReturn:
        raise SafeIOError(f"{wording} in {label}: {name} is not allowed")

    def bounded_int(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_INT_DIGITS:
            raise SafeIOError(
                f"{wording} in {label}: an integer has more than {MAX_INT_DIGITS} digits"
            )
        return int(digits)

    def bounded_float(digits: str) -> Any:
        if len(digits) > MAX_INT_DIGITS:
            raise SafeIOError(
                f"{wording} in {label}: a number has more than {MAX_INT_DIGITS} characters"
            )
        return parse_float(digits) if parse_float is not None else float(digits)

    if _nesting_depth_exceeds(text, max_depth):
        raise SafeIOError(f"{wording} in {label}: nested deeper than {max_depth} levels")
    try:
        return json.loads(
            text,
            parse_int=bounded_int,
            parse_float=bounded_float,
            parse_constant=reject_constant,
            object_pairs_hook=object_pairs_hook,
        )
    except json.JSONDecodeError as exc:
        raise SafeIOError(
            f"{wording} in {label}: {exc.msg} (line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise SafeIOError(f"{wording} in {label}: nested too deeply") from None


def read_json(source: str | os.PathLike[str], **options: Any) -> Any:
    """``read_bytes``, strict UTF-8, then ``loads_json`` (same options)."""
    name = os.fspath(source)
    label = "standard input" if name == "-" else name
    wording = options.get("wording", "invalid JSON")
    text = decode_utf8(read_bytes(source), f"{wording} in {label}")
    return loads_json(text, label=label, **options)


# -- writing ---------------------------------------------------------------------------------


def write_atomically(target: str | os.PathLike[str], data: bytes | str) -> None:
    """Write ``data`` to ``target`` so that a reader sees the old or the new file, never half.

    The target's symlinks are followed. A special file (device, FIFO, socket) is written in
    place and never replaced by a rename. Raises ``SafeIOError`` naming the problem."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    name = os.fspath(target)
    path = Path(os.path.realpath(name))
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise SafeIOError(f"cannot write output file {name}: {os_reason(exc)}") from None
    try:
        if mode is not None and stat.S_ISDIR(mode):
            raise SafeIOError(f"cannot write output file {name}: it is a directory")
        if mode is not None and not stat.S_ISREG(mode):
            _write_in_place(path, payload)
        else:
            _write_and_rename(path, payload, mode)
    except OSError as exc:
        raise SafeIOError(f"cannot write output file {name}: {os_reason(exc)}") from None


def _write_in_place(path: Path, payload: bytes) -> None:
    with open(path, "wb", buffering=0) as handle:
        view = memoryview(payload)
        while view:
            written = handle.write(view)
            if not written:
                raise OSError(0, "the device accepted no data")
            view = view[written:]


def _write_and_rename(path: Path, payload: bytes, mode: int | None) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp_name, stat.S_IMODE(mode))  # keep the replaced file's permissions
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_name, 0o666 & ~umask)  # mkstemp creates 0600
        os.replace(tmp_name, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp_name)
        raise


# -- argparse types --------------------------------------------------------------------------


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type`` accepting integers from ``low`` to ``high``."""

    def parse(text: str) -> int:
        digits = text.strip()
        if len(digits) > 20:
            raise argparse.ArgumentTypeError(f"must be an integer from {low} to {high}")
        try:
            value = int(digits)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {text[:20]!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {value}")
        return value

    return parse


def positive_number(high: float, what: str = "a number") -> Callable[[str], float]:
    """An argparse ``type`` accepting a finite number above 0, at most ``high`` (NaN and
    infinity are refused: they pass every comparison test a caller might write)."""

    def parse(text: str) -> float:
        try:
            value = float(text) if len(text) <= 40 else math.nan
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {text[:20]!r}") from None
        if not math.isfinite(value) or not 0 < value <= high:
            raise argparse.ArgumentTypeError(
                f"must be {what} above 0 and at most {high:g}, got {text[:20]!r}"
            )
        return value

    return parse
