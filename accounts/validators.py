"""Password strength: zxcvbn's estimate of how many guesses a password takes, in Japanese.

Django's validators catch short, common, all-digit and user-name-like passwords; they accept
`aaaaaaaaaaaa`, `Passw0rdPassw0rd` or twelve kana in a row. zxcvbn recognises repeats, sequences,
keyboard patterns, dictionary words with substitutions and the user's own name, and scores
0 (guessed at once) to 4.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# Words an attacker would try first against this portal, whoever the user is.
PORTAL_WORDS = ["yamaguchi", "portal", "chiiki", "ikou", "iko", "kenko", "fukushi", "山口", "地域移行"]

# Letters a password must have besides the user's names and the portal's words.
MIN_OWN_LETTERS = 6

# zxcvbn's warnings (English) → what the user reads.
WARNINGS = {
    "Straight rows of keys are easy to guess.": "キーボードの並び（qwerty など）は推測されやすいです。",
    "Short keyboard patterns are easy to guess.": "キーボード上の短い並びは推測されやすいです。",
    'Repeats like "aaa" are easy to guess.': "同じ文字の繰り返し（aaa など）は推測されやすいです。",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        "同じ語の繰り返し（abcabc など）は、元の語とほとんど変わらず推測されやすいです。"
    ),
    'Sequences like "abc" or "6543" are easy to guess.': "連続した文字（abc、6543、あいう など）は推測されやすいです。",
    "Recent years are easy to guess.": "最近の年は推測されやすいです。",
    "Dates are often easy to guess.": "日付は推測されやすいです。",
    "This is a top-10 common password.": "非常によく使われるパスワードです。",
    "This is a top-100 common password.": "よく使われるパスワードです。",
    "This is a very common password.": "よく使われるパスワードです。",
    "This is similar to a commonly used password.": "よく使われるパスワードに似ています。",
    "A word by itself is easy to guess.": "単語ひとつだけでは推測されやすいです。",
    "Names and surnames by themselves are easy to guess.": "名前や名字だけでは推測されやすいです。",
    "Common names and surnames are easy to guess.": "よくある名前や名字は推測されやすいです。",
}


class StrengthValidator:
    """Refuse passwords zxcvbn scores below `min_score` (3: "safely unguessable" for online attacks)."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def _user_inputs(self, user) -> list[str]:
        inputs = list(PORTAL_WORDS)
        if user is not None:
            for attribute in ("username", "first_name", "last_name", "email"):
                value = getattr(user, attribute, "") or ""
                if value:
                    inputs.append(str(value))
                    inputs.extend(
                        part for part in str(value).replace("@", "-").replace(".", "-").split("-") if part
                    )
        return inputs

    def validate(self, password, user=None):
        inputs = self._user_inputs(user)
        # zxcvbn scores "name-name-2024" as strong (separators and digits add entropy in its model),
        # so the user's names and the portal's words are also taken out first: little may remain.
        rest = password.casefold()
        for word in sorted({w.casefold() for w in inputs if len(w) >= 3}, key=len, reverse=True):
            rest = rest.replace(word, "")
        if len([c for c in rest if c.isalpha()]) < MIN_OWN_LETTERS:
            raise ValidationError(
                "利用者名・氏名・ポータルの名称を中心にしたパスワードは使えません。"
                "それらと関係のない語を組み合わせてください。",
                code="password_built_on_name",
            )
        # zxcvbn's matchers are slow on very long input; beyond 100 characters only the start is scored.
        result = zxcvbn(password[:100], user_inputs=inputs)
        if result["score"] >= self.min_score:
            return
        reason = WARNINGS.get(result["feedback"].get("warning") or "", "")
        message = "このパスワードは推測されやすすぎます。"
        if reason:
            message += reason
        message += "関係のない複数の語を組み合わせるなど、より長く推測しにくいものにしてください。"
        raise ValidationError(message, code="password_too_guessable")

    def get_help_text(self):
        return (
            "繰り返し・連続した文字・よく使われる語・利用者名を避け、推測しにくいパスワードにしてください。"
        )
