"""French names of the audit trail's actions, for the activity pages (translated lazily)."""
from flask_babel import lazy_gettext as _l

ACTIONS = {
    "user.create": _l("compte créé"),
    "user.invite": _l("compte créé par invitation"),
    "user.invite_again": _l("nouveau lien d'invitation"),
    "user.invitation_accept": _l("invitation acceptée"),
    "user.invitation_cancel": _l("invitation annulée"),
    "user.reset_link": _l("lien de nouveau mot de passe créé"),
    "user.password_reset": _l("mot de passe choisi par un lien"),
    "user.password": _l("mot de passe changé"),
    "user.active": _l("compte activé ou désactivé"),
    "user.role": _l("rôle changé"),
    "campaign.create": _l("campagne créée"),
    "campaign.member_add": _l("membre ajouté à la campagne"),
    "campaign.member_remove": _l("membre retiré de la campagne"),
    "campaign.status": _l("statut de la campagne changé"),
    "campaign.axes": _l("axes du CLS modifiés"),
    "district.create": _l("quartier ajouté"),
    "district.update": _l("quartier modifié"),
    "codebook.update": _l("grille de codage modifiée"),
    "coding.auto": _l("codage automatique"),
    "coding.record": _l("réponse libre codée"),
    "margins.import": _l("marges du recensement importées"),
    "margins.set": _l("marges du recensement saisies"),
    "paper.cancel": _l("saisie papier annulée"),
    "paper.double_entry": _l("double saisie réglée"),
    "paper.serials_issued": _l("numéros de questionnaires papier émis"),
    "questionnaire.load": _l("questionnaire chargé"),
    "response.correct": _l("réponse corrigée"),
    "response.exclude": _l("réponse exclue"),
    "response.restore": _l("réponse rétablie"),
    "responses.import": _l("réponses importées"),
    "results.publish": _l("résultats publiés"),
    "results.unpublish": _l("publication des résultats retirée"),
    "retention.drafts": _l("brouillons anciens supprimés"),
    "retention.responses": _l("réponses brutes supprimées (fin de conservation)"),
    "weights.compute": _l("pondération calculée"),
    "priority.decision": _l("priorité décidée"),
    "priority.grid": _l("grille des priorités modifiée"),
    "priority.merge": _l("priorités fusionnées ou séparées"),
}


def action_label(action: str) -> str:
    """Return the French name of ``action``; a campaign setting says which (``campaign.name``…)."""
    if action in ACTIONS:
        return str(ACTIONS[action])
    if action.startswith("campaign."):
        return str(_l("réglage de la campagne modifié (%(field)s)", field=action.split(".", 1)[1]))
    return action


def _value(action: str, value) -> str:
    from ..web.i18n import role_label, status_label

    if value is True:
        return str(_l("actif"))
    if value is False:
        return str(_l("désactivé"))
    if action in ("user.role", "user.invite"):
        return role_label(value)
    if action == "campaign.status":
        return status_label(value)
    return str(value)


def values_text(action: str, values) -> str | None:
    """Return « old → new » (or the one side kept) of the few values the activity page shows."""
    if not values:
        return None
    old, new = values
    if old is not None and new is not None:
        return f"{_value(action, old)} → {_value(action, new)}"
    side = new if new is not None else old
    return None if side is None else _value(action, side)
