"""The decision letter (vedtaksbrev) on an application for reduced parent fees, as a PDF.

Written with reportlab's platypus in Norwegian bokmål (the language of a decision). The PDF is
produced once, when the caseworker decides, and stored with the application: what the family
received is what the archive keeps.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import NamedTuple
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from oppvekst.billing.explain import kr
from oppvekst.billing.models import ReductionApplication, ReductionStatus
from oppvekst.core.models import Municipality
from oppvekst.people.disclosure import address_for_document
from oppvekst.people.models import Person

NB_MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)


def _date(day: dt.date) -> str:
    return f"{day.day}. {NB_MONTHS[day.month - 1]} {day.year}"


class MonthlyAmount(NamedTuple):
    """A child's monthly parent fee for one service before and after the decision."""

    name: str
    service: str
    before_ore: int
    after_ore: int


SERVICE_NAMES = {"kindergarten": "barnehage", "sfo": "SFO"}


def _monthly_paragraphs(
    monthly: list[MonthlyAmount] | None, start: dt.date, body: ParagraphStyle
) -> list[Paragraph]:
    month = f"{NB_MONTHS[start.month - 1]} {start.year}"
    if not monthly:
        return [
            Paragraph(
                escape(
                    f"Den nye månedlige foreldrebetalingen fra {month} står på fakturaen"
                    " for måneden."
                ),
                body,
            )
        ]
    lines = [
        Paragraph(
            escape(f"Ny månedlig foreldrebetaling fra {month} (kostpenger kommer i tillegg):"),
            body,
        )
    ]
    for row in monthly:
        service = SERVICE_NAMES.get(row.service, row.service)
        change = (
            f"før {kr(row.before_ore)}"
            if row.before_ore != row.after_ore
            else "uendret, fordi betalingen allerede er under grensen"
        )
        lines.append(
            Paragraph(
                escape(f"{row.name} ({service}): {kr(row.after_ore)} per måned ({change})."),
                body,
            )
        )
    total = sum(row.after_ore for row in monthly)
    lines.append(Paragraph(escape(f"Til sammen: {kr(total)} per måned."), body))
    return lines


def decision_letter_pdf(
    application: ReductionApplication,
    children: list[Person],
    decided_on: dt.date,
    *,
    monthly: list[MonthlyAmount] | None = None,
) -> bytes:
    """The letter for a decided application (granted or refused). ``monthly``: each child's
    new monthly fee from the first month of a grant (norway.md § 2.4)."""
    municipality = Municipality.objects.get(pk=application.municipality_id)
    applicant = Person.objects.get(pk=application.applicant_id)
    styles = getSampleStyleSheet()
    body, heading = styles["BodyText"], styles["Heading1"]
    small = styles["Normal"]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title="Vedtak om redusert foreldrebetaling",
        author=f"{municipality.name} kommune",
        creator="Oppvekst",
        invariant=True,
    )
    granted = application.status == ReductionStatus.GRANTED
    kinds = []
    if application.reduced_fee:
        kinds.append("redusert foreldrebetaling (maks 6 % av husholdningens inntekt)")
    if application.free_core_hours:
        kinds.append("gratis kjernetid (20 timer i uka)")
    names = ", ".join(f"{c.first_name} {c.last_name}" for c in children) or "–"
    # A protected home address is never printed: the letter goes to the digital mailbox or the
    # postal address Folkeregisteret delivers (domain/norway.md §6.1, item 3).
    address = address_for_document(applicant)
    story = [
        Paragraph(escape(f"{municipality.name} kommune – oppvekst, sektorkontoret"), small),
        Spacer(1, 8 * mm),
        Paragraph(escape(applicant.full_name), small),
        *[Paragraph(escape(line), small) for line in (address.lines() if address else [])],
        Spacer(1, 8 * mm),
        Paragraph(escape(f"Dato: {_date(decided_on)}"), small),
        Paragraph(escape(f"Saksnummer: RB-{application.pk}"), small),
        Spacer(1, 6 * mm),
        Paragraph("Vedtak om redusert foreldrebetaling", heading),
        Paragraph(
            escape(
                f"Vi har behandlet søknaden din av {_date(application.submitted_at.date())} om "
                f"{' og '.join(kinds)} for barnehageåret {application.year_label} "
                f"(1. august {application.year_start} – 31. juli {application.year_start + 1})."
            ),
            body,
        ),
        Paragraph(escape(f"Søknaden gjelder: {names}."), body),
        Paragraph(
            escape(
                f"Husholdningens oppgitte inntekt (personinntekt og skattepliktig kapitalinntekt): "
                f"{kr(application.income_ore)} per år."
            ),
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    if granted and application.effective_from is not None:
        story.append(
            Paragraph(
                escape(
                    "Søknaden er innvilget. Vedtaket gjelder fra"
                    f" {_date(application.effective_from)} til 31. juli"
                    f" {application.year_start + 1}. Det gjelder ikke for måneder før"
                    " søknaden kom inn. Er det allerede fakturert for måneder vedtaket gjelder, får"
                    " du tilbake det du har betalt for mye på neste faktura."
                ),
                body,
            )
        )
        story += _monthly_paragraphs(monthly, application.effective_from, body)
        story.append(
            Paragraph(
                escape(
                    "Reduksjonen regnes ut etter forskrift om foreldrebetaling i barnehager § 3:"
                    " betalingen for en heltidsplass skal ikke overstige 6 prosent av"
                    " husholdningens samlede inntekt, og barn fra 2 til 5 år i husholdninger under"
                    " inntektsgrensen får 20 timer gratis kjernetid i uka. For SFO gjelder"
                    " tilsvarende regel om 6 prosent for 1.–4. trinn."
                ),
                body,
            )
        )
    else:
        story.append(Paragraph("Søknaden er avslått.", body))
    if application.decision_reason:
        story.append(Paragraph(escape(f"Begrunnelse: {application.decision_reason}"), body))
    story += [
        Spacer(1, 4 * mm),
        Paragraph(
            escape(
                "Du kan klage på vedtaket. Klagefristen er tre uker fra du mottok dette brevet"
                " (forvaltningsloven § 29). Klagen sendes til kommunen, som vurderer den på nytt"
                " før den eventuelt sendes videre til klageinstansen. Du har rett til å se"
                " dokumentene i saken (forvaltningsloven §§ 18 og 19)."
            ),
            body,
        ),
        Paragraph(
            escape(
                "Endrer husholdningens inntekt seg vesentlig i løpet av barnehageåret, må du si"
                " fra. Vedtaket gjelder for ett barnehageår; du må søke på nytt for neste år."
            ),
            body,
        ),
        Spacer(1, 8 * mm),
        Paragraph(escape("Med vennlig hilsen"), body),
        Paragraph(escape(f"{municipality.name} kommune"), body),
        Paragraph(
            escape("Brevet er godkjent elektronisk og har derfor ingen signatur."),
            small,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def decision_letter_to_serve(application: ReductionApplication) -> bytes | None:
    """The stored letter, or — when the applicant is protected today — the same letter made
    again without the address: protection raised after the decision applies to every later
    download (domain/norway.md §6.1, item 4)."""
    if not application.letter_pdf:
        return None
    applicant = Person.objects.get(pk=application.applicant_id)
    if address_for_document(applicant) is not None or application.decided_at is None:
        return bytes(application.letter_pdf)
    children = list(application.children.order_by("birth_date", "pk"))
    return decision_letter_pdf(application, children, application.decided_at.date())
