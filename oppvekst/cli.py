"""The `oppvekst` console script: everything `manage.py` does, plus the pure CLI contracts.

The pure commands (`admission solve`, `billing quote`, `timetable solve`) run without
setting up Django, so outside checkers get fast, exact behaviour.

Every command keeps the command-line contract: bad input or arguments give exactly one line
on stderr and exit code 2, never a traceback. Django's
own argument errors (usage plus a message) are folded into that one line here, and anything
unexpected is reported as one line too.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

PURE_COMMANDS: dict[tuple[str, str], str] = {
    ("admission", "solve"): "oppvekst.admission.cli",
    ("billing", "quote"): "oppvekst.billing.cli",
    ("timetable", "solve"): "oppvekst.timetable.cli",
    ("staffing", "norm"): "oppvekst.attendance.cli",
}
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130


def _one_line(text: object, limit: int = 400) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["worker-supervised"]:
            from oppvekst.jobs.supervisor import main as supervise

            return supervise(args[1:])
        if len(args) >= 2 and (args[0], args[1]) in PURE_COMMANDS:
            module = importlib.import_module(PURE_COMMANDS[(args[0], args[1])])
            result: int = module.main(args[1:])
            return result
        return _django(args)
    except KeyboardInterrupt:
        print("oppvekst: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except RecursionError:
        print("oppvekst: the input is nested too deeply", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print("oppvekst: the input is too large", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        print(f"oppvekst: internal error: {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr)
        return EXIT_INTERNAL


def _django(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oppvekst.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import base, execute_from_command_line
    from django.db import DatabaseError

    def one_line_error(parser: Any, message: str) -> NoReturn:
        if not getattr(parser, "called_from_command_line", False):
            raise base.CommandError(f"Error: {message}")
        print(f"{parser.prog}: usage error: {_one_line(message)}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)

    base.CommandParser.error = one_line_error  # type: ignore[method-assign,assignment]
    try:
        if args[:1] == ["runserver"]:
            _require_secret_key()
        execute_from_command_line(["oppvekst", *args])
    except ImproperlyConfigured as exc:
        print(f"oppvekst: configuration error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DatabaseError as exc:
        print(
            f"oppvekst: database error: {_one_line(exc)} (is the database migrated? "
            "run: oppvekst migrate)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_INTERNAL
    return 0


def _require_secret_key() -> None:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.SECRET_KEY  # noqa: B018 - Django refuses an empty key when it is read
    except ImproperlyConfigured:
        raise ImproperlyConfigured(settings.SECRET_KEY_REQUIRED_MESSAGE) from None


if __name__ == "__main__":
    sys.exit(main())
