"""The `oppvekst` console script: everything `manage.py` does, plus the pure CLI contracts.

The pure commands (`admission solve`, `billing quote`, `timetable solve`) run without
setting up Django, so outside checkers get fast, exact behaviour.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

PURE_COMMANDS: dict[tuple[str, str], str] = {
    ("admission", "solve"): "oppvekst.admission.cli",
    ("billing", "quote"): "oppvekst.billing.cli",
    ("timetable", "solve"): "oppvekst.timetable.cli",
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["worker-supervised"]:
        from oppvekst.jobs.supervisor import main as supervise

        return supervise(args[1:])
    if len(args) >= 2 and (args[0], args[1]) in PURE_COMMANDS:
        module = importlib.import_module(PURE_COMMANDS[(args[0], args[1])])
        result: int = module.main(args[1:])
        return result
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oppvekst.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["oppvekst", *args])
    except ImproperlyConfigured as exc:
        print(f"oppvekst: configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
