"""Categories shared by meetings and training: who took part, counted by organisation type."""

from django.db import models


class OrganisationType(models.TextChoices):
    """Participant / attendee categories (the sheet's 関係者 column, split as the regions count them)."""

    HOSPITAL_DOCTOR = "hospital_doctor", "精神科病院：医師"
    HOSPITAL_NURSE = "hospital_nurse", "精神科病院：看護師"
    HOSPITAL_PSW = "hospital_psw", "精神科病院：精神保健福祉士"
    HOSPITAL_OT = "hospital_ot", "精神科病院：作業療法士"
    CONSULTATION_OFFICE = "consultation_office", "相談支援事業所"
    WELFARE_SERVICE = "welfare_service", "障害福祉サービス事業所"
    MUNICIPALITY = "municipality", "市町行政"
    HEALTH_CENTRE = "health_centre", "保健所"
    PEER = "peer", "当事者・ピアサポーター"
    FAMILY = "family", "家族"
    HOUSING = "housing", "居住支援関係者"
    OTHER = "other", "その他"


HOSPITAL_TYPES = frozenset(
    {
        OrganisationType.HOSPITAL_DOCTOR,
        OrganisationType.HOSPITAL_NURSE,
        OrganisationType.HOSPITAL_PSW,
        OrganisationType.HOSPITAL_OT,
    }
)
