"""全国地方公共団体コード (local government codes): five digits plus a check digit."""

from django.core.exceptions import ValidationError

_WEIGHTS = (6, 5, 4, 3, 2)

# 全国 has no 団体コード; national statistics (e-Stat) write its area code as zeros.
NATION_CODE = "000000"


def check_digit(first_five: str) -> int:
    """Check digit of a local government code (総務省): 11 − (Σ digit × weight mod 11), last digit."""
    total = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def is_valid_lg_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit() and check_digit(code[:5]) == int(code[5])


def validate_lg_code(code: str) -> None:
    if not is_valid_lg_code(code):
        raise ValidationError(
            "「%(code)s」は全国地方公共団体コード（6桁、検査数字付き）として正しくありません。",
            params={"code": code},
            code="invalid_lg_code",
        )


def validate_prefecture_code(code: str) -> None:
    """A prefecture's 団体コード (NN000 + check digit), or 000000 for 全国."""
    if code == NATION_CODE:
        return
    validate_lg_code(code)
    if code[2:5] != "000":
        raise ValidationError(
            "「%(code)s」は都道府県の団体コードではありません（都道府県は「NN000」と検査数字の6桁です）。",
            params={"code": code},
            code="invalid_prefecture_code",
        )
