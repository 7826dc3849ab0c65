"""Fill the English catalogue from oppvekst/locale/en.json and compile it.

    python -m oppvekst.devtools.translate

Run `oppvekst makemessages -l en` (inside oppvekst/) first. Entries missing from en.json are
listed so nothing ships untranslated by accident. The compiled .mo is committed, so a fresh
machine needs no gettext tools.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(r'((?:#.*\n)*)msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE)


def _unquote(block: str) -> str:
    return "".join(json.loads(line) for line in block.strip().splitlines())


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False) + "\n"


def main() -> int:
    table: dict[str, str] = json.loads((LOCALE / "en.json").read_text(encoding="utf-8"))
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        comments, msgid_block, _msgstr_block = match.groups()
        msgid = _unquote(msgid_block)
        if not msgid:
            return match.group(0)
        english = table.get(msgid)
        if english is None:
            missing.append(msgid)
            return match.group(0)
        comments = comments.replace("#, fuzzy\n", "")
        return f"{comments}msgid {msgid_block}msgstr {_quote(english)}"

    text = ENTRY.sub(fill, PO.read_text(encoding="utf-8"))
    PO.write_text(text, encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)
    for msgid in missing:
        print(f"untranslated: {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
