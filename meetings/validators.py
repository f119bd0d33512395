"""Refusing obvious personal identifiers in free text (case reviews are anonymised by design).

Every free-text field of meetings, action items, case reviews and follow-ups runs
`validate_no_identifiers`. It looks for the three things that identify a person most directly
and are easy to type by accident: telephone numbers, 12-digit マイナンバー-like numbers and full
dates of birth. Full-width digits and punctuation are normalised first (０８２７－… is caught).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

# Hyphen-like characters people type between digit groups (after NFKC most become "-").
_SEP = r"[-‐‑‒–—―−ーｰ\s･・.]"

# 0 + area code (1–4 digits) + local groups; 10 or 11 digits in all. "(0827)12-3456" as well.
_PHONE_RE = re.compile(rf"(?<![\d])\(?0\d{{1,4}}\)?{_SEP}?\(?\d{{1,4}}\)?{_SEP}?\d{{3,4}}(?![\d])")
_MY_NUMBER_RE = re.compile(rf"(?<![\d])\d{{4}}{_SEP}?\d{{4}}{_SEP}?\d{{4}}(?![\d])")

_ERA = r"(?:明治|大正|昭和|平成|令和|[MTSHRmtshr])"
_DATE = (
    rf"(?:{_ERA}\s*(?:元|\d{{1,2}})\s*(?:年|[./-])\s*\d{{1,2}}\s*(?:月|[./-])\s*\d{{1,2}}\s*日?"
    r"|\d{4}\s*(?:年|[./-])\s*\d{1,2}\s*(?:月|[./-])\s*\d{1,2}\s*日?)"
)
_DATE_RE = re.compile(rf"(?<![\d]){_DATE}(?![\d])")
_BIRTH_CONTEXT_RE = re.compile(
    rf"(?:生年月日|誕生日|出生日?)\s*[:：は]?\s*{_DATE}|{_DATE}\s*(?:生まれ|生|出生|誕生)"
)
_OLD_ERA_DATE_RE = re.compile(
    r"^(?:明治|大正|昭和|[MTSmts])|^(?:1[0-8]\d\d|19[0-8]\d)"  # a full date before 1990 / 平成
)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def find_identifiers(text: str) -> list[str]:
    """Japanese messages, one per kind of identifier found in `text` (empty when clean)."""
    text = _normalise(text)
    problems = []
    for match in _MY_NUMBER_RE.finditer(text):
        if len(_digits(match.group())) == 12:
            problems.append(
                f"マイナンバーのような12桁の番号（{match.group().strip()}）が含まれています。"
                "個人番号・被保険者番号などは入力できません。"
            )
            break
    for match in _PHONE_RE.finditer(text):
        if len(_digits(match.group())) in (10, 11):
            problems.append(
                f"電話番号のような記載（{match.group().strip()}）が含まれています。"
                "本人・家族が特定できる連絡先は入力できません。"
            )
            break
    birth = _BIRTH_CONTEXT_RE.search(text)
    old_date = next((m for m in _DATE_RE.finditer(text) if _OLD_ERA_DATE_RE.match(m.group().strip())), None)
    if birth or old_date:
        found = (birth or old_date).group().strip()
        problems.append(
            f"生年月日のような日付（{found}）が含まれています。"
            "年齢は「60歳代」のような年代で、昔の出来事は「昭和55年頃」のように年までで記載してください。"
        )
    return problems


def validate_no_identifiers(value: str) -> None:
    problems = find_identifiers(value)
    if problems:
        raise ValidationError(problems, code="identifier")
