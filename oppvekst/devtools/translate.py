"""Fill the English catalogue from oppvekst/locale/en.json and compile it.

    python -m oppvekst.devtools.translate

Run `oppvekst makemessages -l en` (inside oppvekst/) first. Entries missing from en.json are
listed so nothing ships untranslated by accident. The compiled .mo is committed, so a fresh
machine needs no gettext tools.

Plurals (`{% blocktranslate count %}`, `ngettext`): en.json maps the singular Norwegian text
to a list of the two English forms, `"%(counter)s måned": ["%(counter)s month", "%(counter)s
months"]`.
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
PLURAL = re.compile(
    r'((?:#.*\n)*)msgid ((?:".*"\n)+)msgid_plural ((?:".*"\n)+)'
    r'msgstr\[0\] ((?:".*"\n)+)msgstr\[1\] ((?:".*"\n)+)',
    re.MULTILINE,
)


def _unquote(block: str) -> str:
    return "".join(json.loads(line) for line in block.strip().splitlines())


def _unfuzzy(comments: str) -> str:
    """A filled entry is no longer fuzzy, and the previous msgid makemessages kept goes."""
    comments = comments.replace("#, fuzzy\n", "").replace("#, fuzzy, ", "#, ")
    return "".join(line for line in comments.splitlines(keepends=True) if not line.startswith("#|"))


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False) + "\n"


def main() -> int:
    table: dict[str, str | list[str]] = json.loads((LOCALE / "en.json").read_text(encoding="utf-8"))
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        comments, msgid_block, _msgstr_block = match.groups()
        msgid = _unquote(msgid_block)
        if not msgid:
            return match.group(0)
        english = table.get(msgid)
        if not isinstance(english, str):
            missing.append(msgid)
            return match.group(0)
        comments = _unfuzzy(comments)
        return f"{comments}msgid {msgid_block}msgstr {_quote(english)}"

    def fill_plural(match: re.Match[str]) -> str:
        comments, msgid_block, plural_block, _one, _other = match.groups()
        msgid = _unquote(msgid_block)
        english = table.get(msgid)
        if not (isinstance(english, list) and len(english) == 2):
            missing.append(msgid)
            return match.group(0)
        comments = _unfuzzy(comments)
        return (
            f"{comments}msgid {msgid_block}msgid_plural {plural_block}"
            f"msgstr[0] {_quote(english[0])}msgstr[1] {_quote(english[1])}"
        )

    text = PLURAL.sub(fill_plural, PO.read_text(encoding="utf-8"))
    text = ENTRY.sub(fill, text)
    PO.write_text(text, encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)
    for msgid in missing:
        print(f"untranslated: {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
