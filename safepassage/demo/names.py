# ruff: noqa: RUF001  # original-script names are meant to contain non-Latin letters
"""Generated names that fit each nationality: Faker locales where Faker has them, small syllable
and name lists (original script with its usual romanisation) where it does not or where a
mechanical transliteration would drop the vowels (Arabic, Dari, Lao, Khmer, Burmese, Amharic).
No real person: every name is assembled at random.

`variant()` spells a Latin name the way another office might (Ukrainian vs Russian-style
transliteration, Mohammed / Muhammad, kh / h...), so that two instances of one person differ the
way real records do and record linkage has something to find.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache

from anyascii import anyascii
from faker import Faker

Pair = tuple[str, str]  # (original script, Latin)


@dataclass(frozen=True)
class Name:
    given: str
    family: str
    given_original: str = ""
    family_original: str = ""


# --- lists for scripts Faker lacks or romanises without vowels -----------------------------------

ARABIC_MALE: tuple[Pair, ...] = (
    ("محمد", "Mohammed"), ("أحمد", "Ahmed"), ("علي", "Ali"), ("عبدالله", "Abdullah"),
    ("حسن", "Hassan"), ("خالد", "Khaled"), ("عمر", "Omar"), ("يوسف", "Yousef"),
    ("صالح", "Saleh"), ("ناصر", "Nasser"), ("فيصل", "Faisal"), ("سعيد", "Saeed"),
    ("إبراهيم", "Ibrahim"), ("مصطفى", "Mustafa"), ("عادل", "Adel"), ("طارق", "Tareq"),
)  # fmt: skip
ARABIC_FEMALE: tuple[Pair, ...] = (
    ("فاطمة", "Fatima"), ("عائشة", "Aisha"), ("مريم", "Maryam"), ("نور", "Nour"),
    ("سارة", "Sara"), ("هدى", "Huda"), ("أمل", "Amal"), ("ليلى", "Laila"),
    ("زينب", "Zainab"), ("سلمى", "Salma"), ("رنا", "Rana"), ("خديجة", "Khadija"),
)  # fmt: skip
ARABIC_FAMILY: tuple[Pair, ...] = (
    ("الحداد", "Al-Haddad"), ("العمري", "Al-Omari"), ("الأحمدي", "Al-Ahmadi"),
    ("السقاف", "Al-Saqqaf"), ("باوزير", "Bawazir"), ("الشامي", "Al-Shami"),
    ("المصري", "Al-Masri"), ("الزبيدي", "Al-Zubaidi"), ("القاسمي", "Al-Qasimi"),
    ("العبسي", "Al-Absi"), ("النجار", "Al-Najjar"), ("حسين", "Hussein"), ("سالم", "Salem"),
)  # fmt: skip
DARI_MALE: tuple[Pair, ...] = (
    ("احمد", "Ahmad"), ("محمود", "Mahmood"), ("نوید", "Navid"), ("فرید", "Farid"),
    ("جاوید", "Javid"), ("رحیم", "Rahim"), ("کریم", "Karim"), ("سهراب", "Sohrab"),
    ("عزیز", "Aziz"), ("حمید", "Hamid"), ("ظاهر", "Zaher"), ("نجیب", "Najib"),
)  # fmt: skip
DARI_FEMALE: tuple[Pair, ...] = (
    ("مریم", "Maryam"), ("فریبا", "Fariba"), ("شکیبا", "Shakiba"), ("ژاله", "Zhaleh"),
    ("پروین", "Parwin"), ("نسرین", "Nasrin"), ("گلالی", "Gulalai"), ("ملالی", "Malalai"),
)  # fmt: skip
DARI_FAMILY: tuple[Pair, ...] = (
    ("احمدی", "Ahmadi"), ("رحیمی", "Rahimi"), ("کریمی", "Karimi"), ("حیدری", "Haidari"),
    ("نوری", "Noori"), ("صدیقی", "Siddiqi"), ("یوسفزی", "Yousafzai"), ("هاشمی", "Hashimi"),
)  # fmt: skip
AMHARIC_MALE: tuple[Pair, ...] = (
    ("አበበ", "Abebe"), ("ተስፋዬ", "Tesfaye"), ("ግርማ", "Girma"), ("ዮሐንስ", "Yohannes"),
    ("ሙሉጌታ", "Mulugeta"), ("ደረጀ", "Dereje"), ("ሰለሞን", "Solomon"), ("ብርሃኑ", "Birhanu"),
    ("ከበደ", "Kebede"), ("ታደሰ", "Tadesse"), ("ገብረ", "Gebre"), ("ኃይሌ", "Haile"),
)  # fmt: skip
AMHARIC_FEMALE: tuple[Pair, ...] = (
    ("ፀሐይ", "Tsehay"), ("መሰረት", "Meseret"), ("ሄለን", "Helen"), ("ብርቱካን", "Birtukan"),
    ("ትዕግስት", "Tigist"), ("አልማዝ", "Almaz"), ("ሰላም", "Selam"), ("ፍሬሕይወት", "Frehiwot"),
)  # fmt: skip
LAO_SYLLABLES: tuple[Pair, ...] = (
    ("ສົມ", "Som"), ("ບຸນ", "Boun"), ("ຄຳ", "Kham"), ("ພອນ", "Phone"), ("ແກ້ວ", "Keo"),
    ("ສີ", "Si"), ("ວັນ", "Vanh"), ("ທອງ", "Thong"), ("ສຸກ", "Souk"), ("ໄຊ", "Xay"),
    ("ພູ", "Phou"), ("ວົງ", "Vong"), ("ສະຫວັນ", "Savanh"), ("ຈັນ", "Chanh"), ("ແສງ", "Seng"),
    ("ເພັດ", "Phet"), ("ມະນີ", "Many"), ("ດາ", "Da"), ("ສິງ", "Sing"), ("ລາ", "La"),
)  # fmt: skip
KHMER_SYLLABLES: tuple[Pair, ...] = (
    ("សុខ", "Sok"), ("ចាន់", "Chan"), ("ស្រី", "Srey"), ("ពៅ", "Pov"), ("ធី", "Thy"),
    ("វណ្ណា", "Vanna"), ("ដារ៉ា", "Dara"), ("សុភា", "Sophea"), ("រតនា", "Rathana"),
    ("ពិសី", "Pisey"), ("សំណាង", "Samnang"), ("វិចិត្រ", "Vichet"),
)  # fmt: skip
KHMER_FAMILY: tuple[Pair, ...] = (
    ("គឹម", "Kim"), ("ហេង", "Heng"), ("លី", "Ly"), ("ញឹម", "Nhim"), ("ម៉ៅ", "Mao"),
    ("សួន", "Suon"), ("ខៀវ", "Khiev"), ("ឈុន", "Chhun"), ("សុខ", "Sok"), ("ចាន់", "Chan"),
)  # fmt: skip
BURMESE_SYLLABLES: tuple[Pair, ...] = (
    ("အောင်", "Aung"), ("ကျော်", "Kyaw"), ("မင်း", "Min"), ("ထက်", "Htet"), ("သီတာ", "Thida"),
    ("စု", "Su"), ("မြင့်", "Myint"), ("ဝင်း", "Win"), ("ဇော်", "Zaw"), ("ငြိမ်း", "Nyein"),
    ("ခင်", "Khin"), ("မာ", "Mar"), ("လှ", "Hla"), ("ထွန်း", "Tun"), ("နိုင်", "Naing"),
)  # fmt: skip
CENTRAL_ASIAN_MALE: tuple[Pair, ...] = (
    ("Айбек", "Aibek"), ("Бакыт", "Bakyt"), ("Нурлан", "Nurlan"), ("Эрлан", "Erlan"),
    ("Азамат", "Azamat"), ("Данияр", "Daniyar"), ("Улан", "Ulan"), ("Тимур", "Timur"),
    ("Рустам", "Rustam"), ("Фаррух", "Farrukh"), ("Бахтиёр", "Bakhtiyor"), ("Жахонгир", "Zhakhongir"),
)  # fmt: skip
CENTRAL_ASIAN_FEMALE: tuple[Pair, ...] = (
    ("Айгуль", "Aigul"), ("Жибек", "Zhibek"), ("Гульнара", "Gulnara"), ("Динара", "Dinara"),
    ("Асель", "Asel"), ("Айжан", "Aizhan"), ("Назгуль", "Nazgul"), ("Чолпон", "Cholpon"),
    ("Мадина", "Madina"), ("Зарина", "Zarina"), ("Нилуфар", "Nilufar"), ("Шахло", "Shakhlo"),
)  # fmt: skip
CENTRAL_ASIAN_FAMILY: tuple[Pair, ...] = (
    ("Асанов", "Asanov"), ("Токтогулов", "Toktogulov"), ("Жумабаев", "Zhumabaev"),
    ("Касымов", "Kasymov"), ("Садыков", "Sadykov"), ("Абдыкадыров", "Abdykadyrov"),
    ("Рахимов", "Rakhimov"), ("Каримов", "Karimov"), ("Исмаилов", "Ismailov"),
    ("Турсунов", "Tursunov"), ("Нурматов", "Nurmatov"), ("Алиев", "Aliev"),
)  # fmt: skip
SOMALI_MALE = ("Abdi", "Mohamed", "Hassan", "Farah", "Abdirahman", "Yusuf", "Omar", "Ahmed")
SOMALI_FEMALE = ("Hodan", "Amina", "Fadumo", "Hawa", "Sahra", "Ayaan", "Ifrah", "Khadra")

# Ukrainian national transliteration (Cabinet of Ministers resolution 55 of 2010), as the
# Ukrainian office writes names; a Russian or foreign office tends to write the Russian-style
# romanisation (anyascii), so the two instances of a returnee differ.
_UK = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "", "’": "",
}  # fmt: skip
_UK_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def ukrainian_latin(text: str) -> str:
    out: list[str] = []
    for word in text.split(" "):
        letters: list[str] = []
        for index, char in enumerate(word):
            lower = char.lower()
            mapped = (_UK_INITIAL if index == 0 else {}).get(lower) or _UK.get(lower, lower)
            letters.append(mapped.capitalize() if char.isupper() else mapped)
        out.append("".join(letters))
    return " ".join(out)


# Faker locale per nationality (Latin or an original script that anyascii romanises well).
LOCALES: dict[str, str] = {
    "UKR": "uk_UA", "RUS": "ru_RU", "BLR": "ru_RU", "MDA": "ro_RO", "ROU": "ro_RO",
    "BGR": "bg_BG", "POL": "pl_PL", "CZE": "cs_CZ", "UZB": "uz_UZ", "ARM": "hy_AM",
    "AZE": "az_AZ", "GEO": "ka_GE", "HTI": "fr_FR", "DOM": "es_ES", "GTM": "es_MX",
    "HND": "es_MX", "SLV": "es_MX", "NIC": "es_MX", "MEX": "es_MX", "COL": "es_CO",
    "BOL": "es_AR", "PRY": "es_AR", "PER": "es_AR", "IDN": "id_ID", "VNM": "vi_VN",
    "PHL": "fil_PH", "THA": "en_TH", "BGD": "en_BD", "NPL": "en_IN", "NGA": "yo_NG",
    "GHA": "tw_GH", "MLI": "fr_FR", "BEN": "fr_FR", "KEN": "en_KE", "UGA": "en_KE",
    "ZWE": "zu_ZA", "MOZ": "pt_PT", "TKM": "ru_RU",
}  # fmt: skip
ARABIC = frozenset({"YEM", "EGY", "SDN", "IRQ", "SYR", "MAR", "SAU", "JOR"})
CYRILLIC_LOCALES = frozenset({"uk_UA", "ru_RU", "bg_BG"})
ORIGINAL_SCRIPT_LOCALES = frozenset({"uk_UA", "ru_RU", "bg_BG", "hy_AM", "ka_GE"})


@cache
def _faker(locale: str) -> Faker:
    return Faker(locale)


def _pick(rng: random.Random, pairs: tuple[Pair, ...], count: int = 1, joiner: str = "") -> Pair:
    chosen = [rng.choice(pairs) for _ in range(count)]
    original = joiner.join(p[0] for p in chosen)
    latin = joiner.join(p[1] for p in chosen)
    return original, latin.capitalize() if not joiner else latin


def _faker_name(rng: random.Random, locale: str, female: bool) -> Name:
    faker = _faker(locale)
    faker.seed_instance(rng.getrandbits(32))
    given = faker.first_name_female() if female else faker.first_name_male()
    family_fn = getattr(faker, "last_name_female" if female else "last_name_male", None)
    family = family_fn() if family_fn is not None else faker.last_name()
    if locale in ORIGINAL_SCRIPT_LOCALES:
        latinise = ukrainian_latin if locale == "uk_UA" else anyascii
        return Name(latinise(given), latinise(family), given, family)
    return Name(anyascii(given), anyascii(family))


def generate_name(rng: random.Random, nationality: str, female: bool) -> Name:  # noqa: PLR0911  # one return per naming tradition reads best
    """A generated name fitting the nationality, in its original script where it has one
    (original-script fields) and in the Latin script the office of that country would use."""
    if nationality in ARABIC:
        given = rng.choice(ARABIC_FEMALE if female else ARABIC_MALE)
        father = rng.choice(ARABIC_MALE)
        family = rng.choice(ARABIC_FAMILY)
        return Name(given[1], f"{father[1]} {family[1]}", given[0], f"{father[0]} {family[0]}")
    if nationality == "AFG":
        given = rng.choice(DARI_FEMALE if female else DARI_MALE)
        family = rng.choice(DARI_FAMILY)
        return Name(given[1], family[1], given[0], family[0])
    if nationality in ("ETH", "ERI"):
        given = rng.choice(AMHARIC_FEMALE if female else AMHARIC_MALE)
        father = rng.choice(AMHARIC_MALE)
        return Name(given[1], father[1], given[0], father[0])
    if nationality == "LAO":
        given = _pick(rng, LAO_SYLLABLES, 2)
        family = _pick(rng, LAO_SYLLABLES, rng.choice((2, 3)))
        return Name(given[1], family[1], given[0], family[0])
    if nationality == "KHM":
        given = _pick(rng, KHMER_SYLLABLES, 1)
        family = rng.choice(KHMER_FAMILY)
        return Name(given[1], family[1], given[0], family[0])
    if nationality == "MMR":
        given = _pick(rng, BURMESE_SYLLABLES, rng.choice((2, 3)), joiner=" ")
        return Name(given[1], "", given[0], "")
    if nationality in ("KGZ", "KAZ", "TJK"):
        given = rng.choice(CENTRAL_ASIAN_FEMALE if female else CENTRAL_ASIAN_MALE)
        family = rng.choice(CENTRAL_ASIAN_FAMILY)
        suffix = ("а", "a") if female else ("", "")
        return Name(given[1], family[1] + suffix[1], given[0], family[0] + suffix[0])
    if nationality == "SOM":
        somali = rng.choice(SOMALI_FEMALE if female else SOMALI_MALE)
        return Name(somali, f"{rng.choice(SOMALI_MALE)} {rng.choice(SOMALI_MALE)}")
    return _faker_name(rng, LOCALES.get(nationality, "en_US"), female)


# --- spelling variants ---------------------------------------------------------------------------

UKRAINIAN_RUSSIAN: dict[str, str] = {
    "Oleksandr": "Aleksandr", "Oleksii": "Aleksey", "Serhii": "Sergey", "Mykola": "Nikolay",
    "Volodymyr": "Vladimir", "Andrii": "Andrey", "Dmytro": "Dmitriy", "Yurii": "Yuriy",
    "Olena": "Elena", "Nataliia": "Natalya", "Iryna": "Irina", "Tetiana": "Tatyana",
    "Halyna": "Galina", "Liudmyla": "Lyudmila", "Yuliia": "Yuliya", "Mariia": "Mariya",
    "Viktoriia": "Viktoriya", "Hanna": "Anna", "Oleh": "Oleg", "Ihor": "Igor", "Vasyl": "Vasiliy",
    "Petro": "Petr", "Mykhailo": "Mikhail", "Pavlo": "Pavel", "Bohdan": "Bogdan",
    "Kateryna": "Ekaterina", "Svitlana": "Svetlana", "Larysa": "Larisa", "Valentyna": "Valentina",
}  # fmt: skip
ARABIC_VARIANTS: dict[str, str] = {
    "Mohammed": "Muhammad", "Ahmed": "Ahmad", "Hassan": "Hasan", "Khaled": "Khalid",
    "Yousef": "Yusuf", "Saeed": "Said", "Mustafa": "Mostafa", "Tareq": "Tariq",
    "Fatima": "Fatma", "Aisha": "Aysha", "Huda": "Hoda", "Laila": "Layla", "Zainab": "Zaynab",
    "Al-Haddad": "Alhaddad", "Al-Omari": "Al Omari", "Al-Shami": "Alshami",
    "Hussein": "Husayn", "Salem": "Salim", "Mahmood": "Mahmud", "Noori": "Nuri",
    "Siddiqi": "Sediqi", "Hashimi": "Hashemi", "Zaher": "Zahir", "Parwin": "Parveen",
}  # fmt: skip
_RULES: tuple[tuple[str, str], ...] = (
    ("kh", "h"), ("ii$", "iy"), ("iy$", "y"), ("ia$", "ya"), ("iu", "yu"), ("ou", "u"),
    ("x", "s"), ("ph", "f"), ("ee", "i"), ("oo", "u"), ("ae", "a"), ("zh", "j"),
    ("y", "i"), ("ov$", "off"), ("ch", "tch"), ("h$", ""), ("e", "i"),
)  # fmt: skip


def _variant_token(rng: random.Random, token: str) -> str:
    for table in (UKRAINIAN_RUSSIAN, ARABIC_VARIANTS):
        if token in table:
            return table[token]
    rules = [(p, r) for p, r in _RULES if re.search(p, token)]
    if not rules:
        return token
    pattern, replacement = rng.choice(rules)
    return re.sub(pattern, replacement, token, count=1) or token


def variant(rng: random.Random, name: Name, *, original: str = "") -> Name:
    """The same name as another office might write it: one token spelt differently; for
    Ukrainian names the Russian-style romanisation of the original script."""
    if original == "uk_UA" and name.given_original:
        given = anyascii(name.given_original)
        given = {v: k for k, v in UKRAINIAN_RUSSIAN.items()}.get(given, given)
        given = UKRAINIAN_RUSSIAN.get(name.given, given)
        return Name(
            given, anyascii(name.family_original), name.given_original, name.family_original
        )
    given_tokens = name.given.split(" ")
    family_tokens = name.family.split(" ") if name.family else []
    if family_tokens and rng.random() < 0.5:
        index = rng.randrange(len(family_tokens))
        family_tokens[index] = _variant_token(rng, family_tokens[index])
    else:
        index = rng.randrange(len(given_tokens))
        given_tokens[index] = _variant_token(rng, given_tokens[index])
    return Name(
        " ".join(given_tokens), " ".join(family_tokens), name.given_original, name.family_original
    )
