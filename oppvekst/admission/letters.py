"""Offer letters and answers without an offer, with reasons and appeal information, as text
(shown in the portal) and as PDF (reportlab).

Domain §1.3: applicants who get a place and those who get none (main admission, met the
deadline) must be told in writing; the letter names the right to a reasoned decision (§ 4),
the right to appeal (§ 6) and the appeal deadline (§ 9) of the forskrift om
saksbehandlingsregler ved opptak i barnehage. The deadline is three weeks (forvaltningsloven
§ 29; marked [?] in the domain note: § 9 itself was not read).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from oppvekst import clock
from oppvekst.admission.models import AgeGroup, Application, Offer, RoundOutcome
from oppvekst.admission.services import guardians_of
from oppvekst.people.models import Person

APPEAL_WEEKS = 3


@dataclass
class Letter:
    title: str
    municipality: str
    recipients: list[str]
    date: dt.date
    paragraphs: list[tuple[str, str]]  # (kind: "h" heading | "p" text | "li" list item, text)


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def _born(iso: str | None) -> str:
    return _fmt(dt.date.fromisoformat(iso)) if iso else ""


def explain_lines(explanation: list[dict[str, Any]], age_group: str) -> list[str]:
    """One sentence per wish ranked above the result (or every wish, if none was met)."""
    group = str(AgeGroup(age_group).label).lower() if age_group in AgeGroup.values else ""
    lines = []
    for item in explanation:
        if item["reason"] == "no_capacity":
            lines.append(
                _(
                    "%(rank)s. ønske, %(unit)s: ingen ledige plasser for barn %(group)s i "
                    "dette opptaket."
                )
                % {"rank": item["rank"], "unit": item["unit_name"], "group": group}
            )
        else:
            cut = _(
                "%(rank)s. ønske, %(unit)s: alle plassene for barn %(group)s gikk til søkere foran "
                "deg etter barnehagens opptakskriterier. Den siste som fikk plass hadde "
                "prioriteten «%(cut)s» og var født %(born)s; barnet ditt har «%(own)s»."
            ) % {
                "rank": item["rank"],
                "unit": item["unit_name"],
                "group": group,
                "cut": item.get("cutoff_label") or "",
                "born": _born(item.get("cutoff_birth_date")),
                "own": item.get("own_label") or "",
            }
            lines.append(cut)
    return lines


def appeal_paragraphs() -> list[tuple[str, str]]:
    return [
        ("h", _("Begrunnelse og klage")),
        (
            "p",
            _(
                "Du har rett til å få en begrunnelse for vedtaket. Du kan klage på vedtaket. "
                "Klagefristen er tre uker fra du mottok dette brevet. Klagen sendes til "
                "kommunen, som kan endre vedtaket eller sende klagen videre til klageinstansen. "
                "(Forskrift om saksbehandlingsregler ved opptak i barnehage §§ 4, 6 og 9, "
                "jf. forvaltningsloven § 29.)"
            ),
        ),
    ]


def _names(child: Person) -> list[str]:
    return [g.full_name for g in guardians_of(child.pk)]


def offer_letter(offer: Offer) -> Letter:
    child = offer.child
    size = f"{offer.place_percent} %"
    if offer.weekly_hours is not None:
        size += " " + _("(%(hours)s timer per uke)") % {"hours": offer.weekly_hours_display}
    paragraphs: list[tuple[str, str]] = [
        (
            "p",
            _("Vi tilbyr %(child)s (født %(born)s) plass i %(unit)s fra %(start)s.")
            % {
                "child": child.full_name,
                "born": _fmt(child.birth_date),
                "unit": offer.unit.name,
                "start": _fmt(offer.start_date),
            },
        ),
        ("p", _("Plasstørrelse: %(size)s.") % {"size": size}),
    ]
    if offer.wish_rank:
        paragraphs.append(("p", _("Dette var ønske nummer %(rank)s.") % {"rank": offer.wish_rank}))
    lines = explain_lines(offer.explanation, offer.age_group)
    if lines:
        paragraphs.append(("h", _("Hvorfor ikke et høyere ønske")))
        paragraphs += [("li", line) for line in lines]
    paragraphs += [
        ("h", _("Svar innen %(deadline)s") % {"deadline": _fmt(offer.deadline)}),
        (
            "p",
            _(
                "Svar i portalen. Du kan takke ja, takke ja og stå på venteliste for høyere "
                "ønsker, eller takke nei. Svarer du ikke innen fristen, regnes tilbudet som "
                "avslått, og plassen går til neste søker."
            ),
        ),
        *appeal_paragraphs(),
    ]
    return Letter(
        title=_("Tilbud om plass i %(unit)s") % {"unit": offer.unit.name},
        municipality=offer.municipality.name,
        recipients=_names(child),
        date=offer.created_at.date() if offer.created_at else clock.today(),
        paragraphs=paragraphs,
    )


def _claim_paragraphs(app: Application) -> list[tuple[str, str]]:
    """What each priority claim did at each wished kindergarten, so a claim marked approved
    that no criterion there uses is explained rather than left as "no priority"."""
    from oppvekst.admission.selectors import wish_claim_effects

    effects = wish_claim_effects(app)
    if not effects:
        return []
    lines: list[tuple[str, str]] = [("h", _("Krav om prioritet"))]
    for wish in app.wishes.all():
        at_unit = effects.get(wish.unit_id)
        for effect in at_unit.effects if at_unit is not None else []:
            lines.append(
                (
                    "li",
                    f"{wish.rank}. {wish.unit.name} – {effect.claim.get_kind_display()}: "
                    f"{effect.text}",
                )
            )
    return lines


def no_offer_letter(app: Application, outcome: RoundOutcome) -> Letter:
    child = app.child
    paragraphs: list[tuple[str, str]] = [
        (
            "p",
            _(
                "%(child)s (født %(born)s) fikk ikke plass i noen av barnehagene du ønsket i "
                "%(round)s."
            )
            % {
                "child": child.full_name,
                "born": _fmt(child.birth_date),
                "round": outcome.round.name,
            },
        ),
        ("h", _("Begrunnelse")),
        *[("li", line) for line in explain_lines(outcome.explanation, outcome.age_group)],
        *_claim_paragraphs(app),
        (
            "p",
            _(
                "Søknaden står på venteliste (søkerliste) i barnehagene du ønsket, og barnet "
                "går foran nye søkere etter opptakskriteriene i senere opptak."
            ),
        ),
    ]
    if outcome.has_right:
        paragraphs.append(
            (
                "p",
                _(
                    "Barnet har rett til plass etter barnehageloven § 16. Kommunen vil tilby "
                    "plass i en annen barnehage med ledig kapasitet."
                ),
            )
        )
    paragraphs += appeal_paragraphs()
    return Letter(
        title=_("Svar på søknad om barnehageplass"),
        municipality=app.municipality.name,
        recipients=_names(child),
        date=outcome.round.committed_at.date() if outcome.round.committed_at else clock.today(),
        paragraphs=paragraphs,
    )


def render_pdf(letter: Letter) -> bytes:
    """The letter as an A4 PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=letter.title,
        author=letter.municipality,
    )
    styles = getSampleStyleSheet()
    story: list[Any] = [
        Paragraph(escape(_("%(name)s kommune") % {"name": letter.municipality}), styles["Normal"]),
        Paragraph(escape(_fmt(letter.date)), styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    for name in letter.recipients:
        story.append(Paragraph(escape(name), styles["Normal"]))
    story += [Spacer(1, 8 * mm), Paragraph(escape(letter.title), styles["Title"])]
    for kind, text in letter.paragraphs:
        if kind == "h":
            story.append(Paragraph(escape(text), styles["Heading3"]))
        elif kind == "li":
            story.append(Paragraph("• " + escape(text), styles["Normal"]))
            story.append(Spacer(1, 1.5 * mm))
        else:
            story.append(Paragraph(escape(text), styles["Normal"]))
            story.append(Spacer(1, 2.5 * mm))
    doc.build(story)
    return buffer.getvalue()
