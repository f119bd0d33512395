"""The tile map of Japan: one square per prefecture at its (tile_row, tile_column), coloured by value.

Drawn by the server as SVG (no geographic data, no script): each square carries the prefecture's short
name and its value as text, so a screen reader reads 「山口 45.2％」 square by square and the picture needs
no colour to be understood. Colours are five equal-width bins between the lowest and highest value, from
a colour-blind-safe sequential palette (light to dark blue); the darkest bin is the better end of the
indicator's direction (the highest values for 高いほど良い and neutral indicators, the lowest for 低いほど良い);
a value on a boundary belongs to the upper bin, the highest value to the last.
Squares without a value are light grey with 「秘匿」 or 「値なし」. The portal's prefecture is outlined.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from indicators import values
from indicators.models import Indicator
from national.comparison import Entry, Ranking

# ColorBrewer's 5-class "Blues" (sequential, readable with every common colour-vision deficiency).
PALETTE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
DARK_FROM = 3  # bins drawn dark enough to need white text
NO_VALUE_FILL = "#e9ecef"
SQUARE = 56  # px per square, gap included
GAP = 3


@dataclass(frozen=True)
class Bin:
    low: Decimal
    high: Decimal
    fill: str
    label: str  # 「40.0～45.0％」


@dataclass(frozen=True)
class Square:
    entry: Entry
    x: int
    y: int
    fill: str
    text_fill: str
    rank_text: str

    @property
    def label(self) -> str:
        """What a reader hears for the square: 「山口 45.2％（47都道府県中 12位）」."""
        rank = f"（{self.rank_text}）" if self.rank_text else ""
        return f"{self.entry.name} {self.entry.value_text}{rank}"


@dataclass(frozen=True)
class TileMap:
    squares: list[Square]
    bins: list[Bin]
    width: int
    height: int
    size: int = SQUARE - GAP
    no_value_fill: str = NO_VALUE_FILL


def bins_for(found: list[Decimal], indicator: Indicator) -> list[Bin]:
    """Five equal-width bins from the lowest to the highest value (one bin when all are equal)."""
    if not found:
        return []
    low, high = min(found), max(found)
    colours = PALETTE if indicator.direction != Indicator.Direction.LOWER else PALETTE[::-1]
    unit = "" if indicator.value_type == Indicator.ValueType.YES_NO else indicator.unit
    if low == high:
        text = values.format_value(low, indicator)
        return [
            Bin(low, high, colours[-1] if indicator.direction != "lower" else colours[0], f"{text}{unit}")
        ]
    width = (high - low) / len(PALETTE)
    result = []
    for n, colour in enumerate(colours):
        start = low + width * n
        end = high if n == len(PALETTE) - 1 else low + width * (n + 1)
        text = f"{values.format_value(start, indicator)}～{values.format_value(end, indicator)}{unit}"
        result.append(Bin(start, end, colour, text))
    return result


def _bin_of(value: Decimal, bins: list[Bin]) -> int:
    for n, candidate in enumerate(bins):
        if value < candidate.high or n == len(bins) - 1:
            return n
    return len(bins) - 1


def tile_map(ranking: Ranking) -> TileMap:
    """The squares of every prefecture of `ranking` that has a tile position."""
    indicator = ranking.indicator
    bins = bins_for([e.value for e in ranking.entries if e.value is not None], indicator)
    colours = [b.fill for b in bins]
    squares = []
    for entry in sorted(ranking.entries, key=lambda e: e.area_key):
        prefecture = entry.prefecture
        if prefecture is None or prefecture.tile_row is None:
            continue
        if entry.value is None or not bins:
            fill, text_fill = NO_VALUE_FILL, "#212529"
        else:
            n = _bin_of(entry.value, bins)
            fill = colours[n]
            darkness = PALETTE.index(fill)
            text_fill = "#ffffff" if darkness >= DARK_FROM else "#212529"
        squares.append(
            Square(
                entry=entry,
                x=prefecture.tile_column * SQUARE,
                y=prefecture.tile_row * SQUARE,
                fill=fill,
                text_fill=text_fill,
                rank_text=ranking.rank_text(entry),
            )
        )
    width = (max((s.x for s in squares), default=0)) + SQUARE
    height = (max((s.y for s in squares), default=0)) + SQUARE
    return TileMap(squares=squares, bins=bins, width=width, height=height)
