"""Code lists from HTCDS 2.0 and CTDC, as enums with stable codes and translatable labels.

Codes taken from a standard keep that standard's spelling (HTCDS value names, CTDC variable
suffixes) so interchange maps one to one; the source is named on each list. Lists of our own
(case status, beneficiary category...) live with the records that use them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    """HTCDS prs_Gender."""

    FEMININE = "Feminine", _("Female")
    MASCULINE = "Masculine", _("Male")
    TRANSGENDER_FEMININE = "TransgenderFeminine", _("Transgender female")
    TRANSGENDER_MASCULINE = "TransgenderMasculine", _("Transgender male")
    NON_CONFORMING = "NonConforming", _("Gender non-conforming")
    UNKNOWN = "NonSpecifiedUnknown", _("Not specified / unknown")


class MeansOfControl(models.TextChoices):
    """The 17 methods of control of CTDC (meansOfControl*) and HTCDS (MethodsOfControl*)."""

    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    RESTRICTS_FINANCIAL_ACCESS = "RestrictsFinancialAccess", _("Restricts financial access")
    THREATS = "Threats", _("Threats")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    FALSE_PROMISES = "FalsePromises", _("False promises / deception")
    PSYCHOACTIVE_SUBSTANCES = "PsychoactiveSubstances", _("Psychoactive substances")
    RESTRICTS_MOVEMENT = "RestrictsMovement", _("Restricts movement")
    RESTRICTS_MEDICAL_CARE = "RestrictsMedicalCare", _("Restricts medical care")
    EXCESSIVE_WORKING_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    USES_CHILDREN = "UsesChildren", _("Threats to or use of children")
    THREAT_OF_LAW_ENFORCEMENT = "ThreatOfLawEnforcement", _("Threat of law enforcement")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds necessities")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Withholds documents")
    OTHER = "Other", _("Other")


class ExploitationType(models.TextChoices):
    """HTCDS vic_TypeOfExploitation, with CTDC's slavery and forced criminality."""

    FORCED_LABOUR = "ForcedLabour", _("Forced labour")
    SEXUAL_EXPLOITATION = "SexualExploitation", _("Sexual exploitation")
    CHILD_LABOUR = "ChildLabour", _("Child labour")
    FORCED_MARRIAGE = "ForcedMarriage", _("Forced marriage")
    SERVITUDE = "Servitude", _("Servitude")
    SLAVERY = "SlaveryAndPractices", _("Slavery and similar practices")
    FORCED_MILITARY = "ForcedMilitaryByNonStateActors", _("Forced military service")
    FORCED_CRIMINALITY = "ForcedCriminality", _("Forced criminal activity")
    ORGAN_REMOVAL = "OrganRemoval", _("Organ removal")
    FORCED_BEGGING = "ForcedBegging", _("Forced begging")
    FORCED_ADOPTION = "ForcedAdoption", _("Forced adoption")
    SURROGACY = "Surrogacy", _("Forced surrogacy")
    OTHER = "Other", _("Other")


class LabourSector(models.TextChoices):
    """Sectors of forced labour as CTDC records them (typeOfLabour*), each tied to its ISIC
    section in ISIC_SECTION below."""

    AGRICULTURE = "Agriculture", _("Agriculture, forestry and fishing")
    AQUAFARMING = "Aquafarming", _("Aquafarming and fishing at sea")
    BEGGING = "Begging", _("Begging")
    CONSTRUCTION = "Construction", _("Construction")
    DOMESTIC_WORK = "DomesticWork", _("Domestic work")
    HOSPITALITY = "Hospitality", _("Hospitality (accommodation and food)")
    ILLICIT_ACTIVITIES = "IllicitActivities", _("Illicit activities")
    MANUFACTURING = "Manufacturing", _("Manufacturing")
    MINING_OR_DRILLING = "MiningOrDrilling", _("Mining or drilling")
    PEDDLING = "Peddling", _("Peddling")
    TRANSPORTATION = "Transportation", _("Transportation")
    OTHER = "Other", _("Other")


ISIC_SECTION: dict[str, str] = {
    LabourSector.AGRICULTURE: "A",
    LabourSector.AQUAFARMING: "A",
    LabourSector.BEGGING: "",
    LabourSector.CONSTRUCTION: "F",
    LabourSector.DOMESTIC_WORK: "T",
    LabourSector.HOSPITALITY: "I",
    LabourSector.ILLICIT_ACTIVITIES: "",
    LabourSector.MANUFACTURING: "C",
    LabourSector.MINING_OR_DRILLING: "B",
    LabourSector.PEDDLING: "G",
    LabourSector.TRANSPORTATION: "H",
    LabourSector.OTHER: "",
}


class SexualExploitationType(models.TextChoices):
    """HTCDS vic_TypeOfSexExploitation / CTDC typeOfSex*."""

    PROSTITUTION = "Prostitution", _("Prostitution")
    PORNOGRAPHY = "Pornography", _("Pornography")
    REMOTE_INTERACTIVE_SERVICES = "RemoteInteractiveServices", _("Remote interactive services")
    PRIVATE_SEXUAL_SERVICES = "PrivateSexualServices", _("Private sexual services")


class RecruiterRelation(models.TextChoices):
    """CTDC recruiterRelation* (HTCDS vic_RelationshipToTrafficker is coarser)."""

    INTIMATE_PARTNER = "IntimatePartner", _("Intimate partner")
    FRIEND = "Friend", _("Friend")
    FAMILY = "Family", _("Family member")
    OTHER = "Other", _("Other / acquaintance / stranger")
    UNKNOWN = "Unknown", _("Unknown")


class RecruitmentMethod(models.TextChoices):
    """HTCDS vic_MethodOfRecruitment."""

    PLACE_OF_BUSINESS = "AtAPlaceOfBusiness", _("At a place of business")
    EDUCATIONAL_INSTITUTION = "AtAnEducationalInstitution", _("At an educational institution")
    AT_WORK = "AtWork", _("At work")
    ONLINE_SOCIAL_NETWORKS = "ThroughOnlineSocialNetworks", _("Through online social networks")
    ONLINE_ADVERTISEMENT = "ThroughAnOnlineAdvertisement", _("Through an online advertisement")
    TELEVISION_ADVERT = "ThroughATelevisionAdvert", _("Through a television advert")
    NEWSPAPER_ADVERT = "ThroughANewspaperAdvert", _("Through a newspaper advert")
    FAMILY = "ThroughFamilyOrFamilyEvents", _("Through family or family events")
    FRIENDS = "ThroughFriendsOrSocialEvents", _("Through friends or social events")
    OTHER = "Other", _("Other")


class OrganisationType(models.TextChoices):
    """HTCDS org_Type."""

    NGO = "NGO", _("NGO")
    LAW_ENFORCEMENT = "LawEnforcement", _("Law enforcement")
    HEALTH_SERVICE = "HealthServiceOrganisation", _("Health service organisation")
    CENTRAL_GOVERNMENT = "CentralGovernmentOrganisation", _("Central government organisation")
    LOCAL_GOVERNMENT = "LocalGovernmentOrganisation", _("Local government organisation")
    IMMIGRATION_SERVICE = "ImmigrationService", _("Immigration service")
    LEGAL_SERVICE = "LegalService", _("Legal service")
    CORPORATE_BUSINESS = "CorporateBusiness", _("Corporate business")
    SCHOOL_OR_COLLEGE = "SchoolOrCollege", _("School or college")


class TraffickingStatus(models.TextChoices):
    """HTCDS vic_TraffickingStatus."""

    POSSIBLE = "PossibleVictimOfTrafficking", _("Possible victim of trafficking")
    ACTUAL = "ActualVictimOfTrafficking", _("Victim of trafficking")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")


class DecisionMakingOrganisation(models.TextChoices):
    """HTCDS vic_TraffickingStatusDecisionMakingOrg."""

    POLICE = "Police", _("Police")
    NGO = "NGO", _("NGO")
    COURT_OR_PROSECUTION = "CourtOrProsecution", _("Court or prosecution")
    NON_POLICE_GOVERNMENT = (
        "NonPoliceGovernmentalOrganization",
        _("Non-police governmental organisation"),
    )
    OTHER = "Other", _("Other")


class TraffickingEventType(models.TextChoices):
    """HTCDS hte_Type."""

    RECRUITMENT = "Recruitment", _("Recruitment")
    TRANSIT = "Transit", _("Transit")
    EXPLOITATION = "Exploitation", _("Exploitation")


CODE_LISTS: dict[str, type[models.TextChoices]] = {
    "gender": Gender,
    "means_of_control": MeansOfControl,
    "exploitation_type": ExploitationType,
    "labour_sector": LabourSector,
    "sexual_exploitation_type": SexualExploitationType,
    "recruiter_relation": RecruiterRelation,
    "recruitment_method": RecruitmentMethod,
    "organisation_type": OrganisationType,
    "trafficking_status": TraffickingStatus,
    "decision_making_organisation": DecisionMakingOrganisation,
    "trafficking_event_type": TraffickingEventType,
}
