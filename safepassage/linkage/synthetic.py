"""Invented cross-border person records with known truth, for tests and benchmarks.

Each invented individual is registered at a destination office (Latin script, in some
transliteration) and often again at the origin office (native script: Cyrillic or Arabic)
with the usual noise: swapped given/family names, typos, day/month-swapped, year-only or
estimated birth dates, missing fields. No real person's data: names come from generic
given/family name lists (Faker's and our own), combined at random.

Name pools are as wide as real caseloads' (a million records must not come from a few dozen
names, which neither a real population nor a fair benchmark has): Latin-American family names
are double (paternal and maternal surname, as in the region's civil records), and the
Arabic-speaking group includes Maghreb names that origin offices record in Latin script.
"""

from __future__ import annotations

import datetime
import importlib
import random
from dataclasses import dataclass
from typing import Final

from anyascii import anyascii
from faker.providers.person.ru_RU import Provider as RussianNames
from faker.providers.person.uk_UA import Provider as UkrainianNames

from safepassage.linkage.pipeline import PersonRecord

# (Arabic script, Latin spellings seen in case files)
_ARABIC_MALE: Final = (
    ("محمد", ("Mohammed", "Muhammad", "Mohamed", "Mohamad")),
    ("أحمد", ("Ahmed", "Ahmad", "Achmed")),
    ("علي", ("Ali", "Aly")),
    ("حسن", ("Hassan", "Hasan")),
    ("حسين", ("Hussein", "Husain", "Hussain")),
    ("عمر", ("Omar", "Umar")),
    ("خالد", ("Khaled", "Khalid")),
    ("يوسف", ("Youssef", "Yusuf", "Yousef")),
    ("إبراهيم", ("Ibrahim", "Ebrahim")),
    ("مصطفى", ("Mustafa", "Moustafa", "Mostafa")),
    ("عبد الله", ("Abdullah", "Abdallah", "Abdulla")),
    ("سعيد", ("Said", "Saeed", "Saied")),
    ("كريم", ("Karim", "Kareem")),
    ("طارق", ("Tariq", "Tarek", "Tarik")),
    ("ناصر", ("Nasser", "Nasir", "Naser")),
    ("جمال", ("Jamal", "Gamal", "Djamal")),
    ("رشيد", ("Rashid", "Rachid", "Rasheed")),
    ("سليمان", ("Suleiman", "Sulayman", "Soliman")),
    ("فيصل", ("Faisal", "Faysal", "Feisal")),
    ("ماجد", ("Majid", "Majed", "Maged")),
    ("وليد", ("Walid", "Waleed")),
    ("زياد", ("Ziad", "Ziyad")),
    ("هشام", ("Hisham", "Hicham")),
    ("منصور", ("Mansour", "Mansur")),
    ("نبيل", ("Nabil", "Nabeel")),
)
_ARABIC_FEMALE: Final = (
    ("فاطمة", ("Fatima", "Fatma", "Fatimah")),
    ("عائشة", ("Aisha", "Aicha", "Ayesha")),
    ("مريم", ("Maryam", "Mariam", "Meryem")),
    ("زينب", ("Zainab", "Zeinab", "Zaynab")),
    ("خديجة", ("Khadija", "Khadidja", "Hadija")),
    ("نور", ("Nour", "Noor", "Nur")),
    ("ليلى", ("Layla", "Leila", "Laila")),
    ("سلمى", ("Salma", "Selma")),
    ("هدى", ("Huda", "Houda", "Hoda")),
    ("أمينة", ("Amina", "Aminah", "Amena")),
    ("ياسمين", ("Yasmin", "Yasmine", "Jasmin")),
    ("رانيا", ("Rania", "Raniya")),
    ("سميرة", ("Samira", "Sameera")),
    ("نادية", ("Nadia", "Nadiya")),
    ("حليمة", ("Halima", "Halimah")),
)
_ARABIC_FAMILY: Final = (
    ("الحسن", ("Al-Hassan", "Alhasan", "El Hassan")),
    ("المصري", ("Al-Masri", "El Masry", "Almasri")),
    ("الأحمد", ("Al-Ahmad", "Alahmad", "El Ahmed")),
    ("العلي", ("Al-Ali", "Alali", "El Aly")),
    ("حداد", ("Haddad", "Hadad")),
    ("خوري", ("Khoury", "Khouri", "Khuri")),
    ("منصور", ("Mansour", "Mansur")),
    ("ناصر", ("Nasser", "Naser")),
    ("سعيد", ("Saeed", "Said")),
    ("عثمان", ("Othman", "Osman", "Uthman")),
    ("يونس", ("Younes", "Yunus", "Younis")),
    ("صالح", ("Saleh", "Salih")),
    ("قاسم", ("Qasim", "Kassem", "Kasem")),
    ("بكر", ("Bakr", "Bakir")),
    ("شريف", ("Sharif", "Cherif", "Shareef")),
    ("عبد الرحمن", ("Abdelrahman", "Abdul Rahman", "Abderrahmane")),
    ("الزين", ("Al-Zein", "Elzein", "Al Zain")),
    ("البدوي", ("Al-Badawi", "Elbadawy", "Badawi")),
    ("التميمي", ("Al-Tamimi", "Altamimi", "Tamimi")),
    ("الشامي", ("Al-Shami", "Elshamy", "Shami")),
    ("العمري", ("Al-Omari", "Alomari", "Omari")),
    ("الحكيم", ("Al-Hakim", "Elhakim", "Hakim")),
    ("الجبوري", ("Al-Jubouri", "Aljuburi", "Jubouri")),
    ("الخطيب", ("Al-Khatib", "El Khatib", "Khatib")),
    ("الرفاعي", ("Al-Rifai", "Alrefai", "Rifai")),
    ("السيد", ("El Sayed", "Al-Sayyid", "Elsayed")),
    ("الفارس", ("Al-Fares", "Alfaris", "Fares")),
    ("النجار", ("Al-Najjar", "Elnaggar", "Najjar")),
    ("القاضي", ("Al-Qadi", "El Kadi", "Kadi")),
    ("الحلبي", ("Al-Halabi", "Elhalaby", "Halabi")),
)

# Pairs of spellings that Latin transliterations of Cyrillic disagree on.
_CYRILLIC_VARIANTS: Final = (
    ("kh", "h"),
    ("ks", "x"),
    ("iy", "y"),
    ("iy", "ii"),
    ("yu", "iu"),
    ("ya", "ia"),
    ("ye", "e"),
    ("ie", "ye"),
    ("'", ""),
    ("zh", "j"),
    ("ch", "tch"),
    ("v", "w"),
    ("ov", "off"),
)

_CITIZENSHIPS: Final = {
    "cyrillic": ("UKR", "RUS", "BLR", "KGZ", "UZB"),
    "arabic": ("YEM", "EGY", "SYR", "IRQ", "SDN"),
    "maghreb": ("DZA", "MAR", "TUN", "LBY"),
    "latin": ("HTI", "COL", "BOL", "PER", "DOM"),
}
_GROUP_WEIGHTS: Final = (("cyrillic", 0.45), ("arabic", 0.15), ("maghreb", 0.10), ("latin", 0.30))
_SYLLABLES: Final = ("ka", "lo", "mir", "ne", "sa", "ta", "vo", "gor", "dal", "ri", "ba", "zan")


@dataclass(frozen=True, slots=True)
class _Name:
    native: str
    latin: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Individual:
    key: str
    group: str
    sex: str
    given: _Name
    family: _Name
    birth_date: datetime.date
    citizenship: str
    birth_place: str


def _cyrillic_name(native: str, rng: random.Random) -> _Name:
    base = anyascii(native)
    spellings = {base}
    for _ in range(4):
        spelling = base
        for source, target in _CYRILLIC_VARIANTS:
            if source in spelling.lower() and rng.random() < 0.4:
                spelling = spelling.replace(source, target)
        spellings.add(spelling)
    return _Name(native, tuple(sorted(spellings)))


_LATIN_LOCALES: Final = ("es_ES", "es_MX", "es_CO", "es_CL", "es_AR", "pt_BR", "fr_FR", "fr_CA")


def _faker_names(locales: tuple[str, ...], attribute: str) -> list[str]:
    names: set[str] = set()
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        names.update(getattr(provider, attribute))
    return sorted(names)


def _nasab(fathers: tuple[_Name, ...], families: tuple[_Name, ...]) -> tuple[_Name, ...]:
    return tuple(
        _Name(
            f"{father.native} {family.native}",
            tuple(f"{fl} {lt}" for fl, lt in zip(father.latin, family.latin, strict=False)),
        )
        for father in fathers
        for family in families
    )


def _pools(rng: random.Random) -> dict[str, dict[str, tuple[_Name, ...]]]:
    russian = RussianNames
    ukrainian = UkrainianNames
    cyr_male = sorted({*russian.first_names_male, *ukrainian.first_names_male})
    cyr_female = sorted({*russian.first_names_female, *ukrainian.first_names_female})
    cyr_family = sorted({*russian.last_names, *ukrainian.last_names})
    latin_male = _faker_names(_LATIN_LOCALES, "first_names_male")
    latin_female = _faker_names(_LATIN_LOCALES, "first_names_female")
    latin_family = _faker_names(_LATIN_LOCALES, "last_names")
    maghreb_male = tuple(_Name(n, (n,)) for n in _faker_names(("fr_DZ",), "first_names_male"))
    maghreb_female = tuple(_Name(n, (n,)) for n in _faker_names(("fr_DZ",), "first_names_female"))
    maghreb_family = tuple(_Name(n, (n,)) for n in _faker_names(("fr_DZ",), "last_names"))
    arabic_male = tuple(_Name(a, latin) for a, latin in _ARABIC_MALE)
    arabic_family = tuple(_Name(a, latin) for a, latin in _ARABIC_FAMILY)
    return {
        "cyrillic": {
            "male": tuple(_cyrillic_name(n, rng) for n in cyr_male),
            "female": tuple(_cyrillic_name(n, rng) for n in cyr_female),
            "family": tuple(_cyrillic_name(n, rng) for n in cyr_family),
        },
        "arabic": {
            "male": arabic_male,
            "female": tuple(_Name(a, latin) for a, latin in _ARABIC_FEMALE),
            # Family names often carry the father's name (nasab) before the family name.
            "family": arabic_family + _nasab(arabic_male, arabic_family),
        },
        "maghreb": {
            "male": maghreb_male,
            "female": maghreb_female,
            "family": maghreb_family + _nasab(maghreb_male, maghreb_family),
        },
        "latin": {
            "male": tuple(_Name(n, (n,)) for n in latin_male),
            "female": tuple(_Name(n, (n,)) for n in latin_female),
            # Paternal and maternal surnames, as Latin-American civil records carry them.
            "family": tuple(_Name(n, (n,)) for n in latin_family)
            + tuple(
                _Name(f"{a} {b}", (f"{a} {b}",))
                for a, b in (rng.sample(latin_family, 2) for _ in range(20_000))
            ),
        },
    }


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeioulnrst") + text[i + 1 :]


def _place(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


@dataclass(frozen=True)
class SyntheticSet:
    records: list[PersonRecord]
    truth: dict[str, str]
    """record_id -> invented individual's key"""

    @property
    def individuals(self) -> int:
        return len(set(self.truth.values()))


def generate_cross_border(
    n_individuals: int, *, seed: int = 2011, noise: float = 1.0
) -> SyntheticSet:
    """Records of `n_individuals` invented persons, 1-3 instances each, shuffled.

    `noise` scales every perturbation rate (0 gives clean records, 1 the default mix).
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    pools = _pools(rng)
    places = {group: [_place(rng) for _ in range(300)] for group in _CITIZENSHIPS}
    groups = [group for group, _ in _GROUP_WEIGHTS]
    weights = [weight for _, weight in _GROUP_WEIGHTS]
    start = datetime.date(1960, 1, 1).toordinal()
    span = datetime.date(2010, 12, 31).toordinal() - start
    records: list[PersonRecord] = []
    truth: dict[str, str] = {}
    for number in range(n_individuals):
        group = rng.choices(groups, weights)[0]
        sex = "female" if rng.random() < 0.62 else "male"
        person = _Individual(
            key=f"I{number:07d}",
            group=group,
            sex=sex,
            given=rng.choice(pools[group][sex]),
            family=rng.choice(pools[group]["family"]),
            birth_date=datetime.date.fromordinal(start + rng.randrange(span)),
            citizenship=rng.choice(_CITIZENSHIPS[group]),
            birth_place=rng.choice(places[group]),
        )
        instances = 1 + (rng.random() < 0.7) + (rng.random() < 0.1)
        for instance in range(instances):
            at_origin = instance == 1
            records.append(_render(person, at_origin=at_origin, rng=rng, noise=noise))
    rng.shuffle(records)
    final: list[PersonRecord] = []
    for number, record in enumerate(records):
        record_id = f"R{number:08d}"
        truth[record_id] = record.record_id
        final.append(
            PersonRecord(
                record_id=record_id,
                given_names=record.given_names,
                family_names=record.family_names,
                aliases=record.aliases,
                birth_date=record.birth_date,
                birth_date_precision=record.birth_date_precision,
                sex=record.sex,
                citizenship=record.citizenship,
                birth_place=record.birth_place,
            )
        )
    return SyntheticSet(records=final, truth=truth)


def _render(
    person: _Individual, *, at_origin: bool, rng: random.Random, noise: float
) -> PersonRecord:
    """One office's record of `person`; `record_id` temporarily holds the truth key."""
    native = at_origin and person.group != "latin" and rng.random() < 0.85
    if native:
        given, family = person.given.native, person.family.native
    else:
        given, family = rng.choice(person.given.latin), rng.choice(person.family.latin)
        if rng.random() < 0.08 * noise:
            given = _typo(given, rng)
        if rng.random() < 0.08 * noise:
            family = _typo(family, rng)
    if rng.random() < 0.08 * noise:
        given, family = family, given
    aliases: list[str] = []
    if rng.random() < 0.05 * noise:
        aliases.append(rng.choice(person.given.latin))
    birth_date: datetime.date | None = person.birth_date
    precision = "exact"
    roll = rng.random() / noise if noise else 1.0
    if roll < 0.03:
        birth_date = None
    elif roll < 0.13:
        precision = "year"
    elif roll < 0.17:
        precision = "estimated"
        birth_date = person.birth_date.replace(
            month=1, day=1, year=person.birth_date.year + rng.choice((-1, 0, 1))
        )
    elif roll < 0.22 and person.birth_date.day <= 12:
        birth_date = person.birth_date.replace(
            month=person.birth_date.day, day=person.birth_date.month
        )
    return PersonRecord(
        record_id=person.key,
        given_names=given,
        family_names=family,
        aliases=aliases,
        birth_date=birth_date,
        birth_date_precision=precision,
        sex="unknown" if rng.random() < 0.05 * noise else person.sex,
        citizenship="" if rng.random() < 0.1 * noise else person.citizenship,
        birth_place="" if rng.random() < 0.3 * noise else person.birth_place,
    )
