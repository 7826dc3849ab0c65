"""Roles and audited actions in words, for the pages that show the audit trail to people
(the guardian's "who has looked at my child", the unit leader's log). Codes never reach a page:
every action in the audit catalogue (access.registry) has a label here, and a test holds that;
an unknown code still reads as what it concerns, or as "Annet oppslag"."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ROLE_LABELS: dict[str, Promise] = {
    "guardian": _("Foresatt"),
    "daily_carer": _("Daglig omsorgsperson"),
    "contact_teacher": _("Kontaktlærer"),
    "pedagogical_leader": _("Pedagogisk leder"),
    "teacher": _("Lærer"),
    "department_staff": _("Ansatt på avdelingen"),
    "sfo_staff": _("Ansatt i SFO"),
    "staff": _("Ansatt"),
    "unit_leader": _("Leder ved enheten"),
    "private_kindergarten_head": _("Styrer i privat barnehage"),
    "administrative": _("Merkantil ansatt"),
    "caseworker": _("Saksbehandler ved sektorkontoret"),
    "system_admin": _("Systemadministrator"),
}

ACTION_LABELS: dict[str, Promise] = {
    "child.read": _("Åpnet barnets side"),
    "child.read_basic": _("Så navn og fødselsdato i en liste"),
    "child.create": _("Registrerte barnet"),
    "application.read": _("Så en søknad"),
    "application.create": _("Sendte en søknad"),
    "application.update": _("Endret en søknad"),
    "application.decide": _("Behandlet en søknad"),
    "claim.read_document": _("Åpnet et vedlegg til en søknad"),
    "offer.read": _("Så et tilbud om plass"),
    "offer.answer": _("Svarte på et tilbud om plass"),
    "placement.read": _("Så en plass"),
    "billing.read_fees": _("Så foreldrebetalingen"),
    "billing.read_invoice": _("Så en faktura"),
    "billing.read_compensation": _("Så tilskuddsgrunnlaget"),
    "billing.export": _("Tok med barnet i en fakturaeksport"),
    "reduction.read": _("Så en søknad om redusert betaling"),
    "reduction.read_document": _("Åpnet et vedlegg om redusert betaling"),
    "reduction.read_letter": _("Åpnet et vedtaksbrev om redusert betaling"),
    "timetable.feed_read": _("Kalenderen hentet timeplanen"),
    "unit.read": _("Så enhetens barneliste"),
    "child.read_sensitive": _("Så helseopplysninger og andre følsomme opplysninger"),
    "child.read_address": _("Så adressen"),
    "child.read_location": _("Så hvor barnet har plass"),
    "child.read_access_log": _("Så hvem som har sett opplysningene"),
    "child.read_unit_access_log": _("Så enhetens logg over oppslag"),
    "child.update": _("Endret opplysninger om barnet"),
    "children.search": _("Søkte etter barn"),
    "group.read": _("Så en gruppe"),
    "unit.admission_manage": _("Behandlet opptak ved enheten"),
    "unit.attendance": _("Så enhetens dagsliste"),
    "unit.departments_manage": _("Endret enhetens avdelinger"),
    "unit.staffing_read": _("Så bemanningen ved enheten"),
    "admission.work": _("Åpnet opptakssidene"),
    "admission.apply": _("Søkte om plass"),
    "round.read": _("Så en opptaksrunde"),
    "round.manage": _("Behandlet en opptaksrunde"),
    "attendance.work": _("Åpnet sidene for inn- og utkrysning"),
    "attendance.portal": _("Åpnet familiens sider for hverdagen"),
    "attendance.check": _("Krysset barnet inn eller ut"),
    "attendance.read": _("Så når barnet kom og gikk"),
    "absence.report": _("Meldte fravær"),
    "absence.record": _("Registrerte fravær"),
    "absence.read": _("Så fravær"),
    "pickup.read": _("Så hentelisten"),
    "pickup.manage": _("Endret hentelisten"),
    "restriction.read": _("Så begrensninger fra domstol eller barnevern"),
    "department.move": _("Flyttet barnet til en annen avdeling"),
    "departments.manage": _("Åpnet avdelingssidene"),
    "staffing.view": _("Åpnet bemanningssidene"),
    "billing.open": _("Åpnet betalingssidene"),
    "billing.compensation_open": _("Åpnet tilskuddssidene"),
    "billing.portal": _("Åpnet foreldrebetalingen"),
    "billing.run": _("Startet en fakturakjøring"),
    "billing.read_run": _("Så en fakturakjøring"),
    "billing.approve_run": _("Godkjente en fakturakjøring"),
    "billing.lock_run": _("Låste en fakturakjøring"),
    "reduction.apply": _("Søkte om redusert betaling"),
    "reduction.decide": _("Avgjorde en søknad om redusert betaling"),
    "placement.create": _("Ga barnet en plass"),
    "placement.guardian_change": _("Endret eller sa opp en plass"),
    "timetable.family_week": _("Åpnet familiens timeplaner"),
    "timetable.lead": _("Åpnet timeplanarbeidet ved skolen"),
    "timetable.own_week": _("Åpnet sin egen timeplan"),
    "reports.open": _("Åpnet rapportsidene"),
    "reports.statutory": _("Laget en lovpålagt rapport"),
    "task.read": _("Så en oppgave"),
    "task.hand_over": _("Ga en oppgave videre"),
    "unit.criteria_edit": _("Endret opptakskriteriene ved enheten"),
    "child_record.read": _("Så allergier, kost, samtykker og kontakter"),
    "health.read": _("Så helseopplysninger"),
    "child_note.write": _("Skrev inn allergier, kost eller helseopplysninger"),
    "child_record.manage": _("Endret samtykker eller kontakter"),
    "jobs.manage": _("Så eller startet bakgrunnsjobber på nytt"),
    "timetable.view": _("Åpnet timeplansidene"),
    "timetable.edit": _("Endret en timeplan"),
    "timetable.read": _("Så skolens timeplan"),
    "timetable.read_class": _("Så klassens timeplan"),
    "timetable.read_pupil": _("Så barnets timeplan"),
    "workspace.view": _("Åpnet forsiden"),
    "admin.configure": _("Endret oppsettet"),
    "identity_review.decide": _("Kontrollerte en registrering med fødselsnummer"),
    "staff.grant_request": _("Ba om tilgang for en ansatt"),
    "staff.grant_decide": _("Avgjorde en forespørsel om tilgang"),
    "staff.grant_requested": _("Ba om tilgang for en ansatt"),
    "staff.grant_approved": _("Godkjente tilgang for en ansatt"),
    "staff.grant_rejected": _("Avviste tilgang for en ansatt"),
}

# What an action without its own label concerns, by the part before the dot.
SUBJECT_LABELS: dict[str, Promise] = {
    "child": _("Oppslag på barnet"),
    "application": _("Oppslag i en søknad"),
    "claim": _("Oppslag i en søknad"),
    "offer": _("Oppslag i et tilbud om plass"),
    "placement": _("Oppslag på en plass"),
    "billing": _("Oppslag i betaling"),
    "reduction": _("Oppslag i redusert betaling"),
    "timetable": _("Oppslag i timeplanen"),
    "unit": _("Oppslag i enhetens lister"),
}


def role_label(code: str) -> str:
    if not code:
        return str(_("Ukjent rolle"))
    return str(ROLE_LABELS.get(code, _("Ansatt")))


def action_label(code: str) -> str:
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    return str(SUBJECT_LABELS.get(code.split(".", 1)[0], _("Annet oppslag")))
