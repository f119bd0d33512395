"""The shape of the benchmark dataset: how many of each thing at full scale, and its fixed dates.

Both the generator (bench/generate.py) and the record writers it drives (bench/records.py) read
these, so they live here rather than in either: the writers never import the generator back.
Plain values only: importing this module needs neither Django nor a database.
"""

from datetime import date

NATIONAL = {"prefectures": 47, "regions": 335, "municipalities": 1741}
FULL = {"meetings": 200_000, "cases": 20_000, "training": 50_000, "observation_years": 20}
BATCH = 5000
CHUNK = 2000  # meetings / sessions built and inserted per round (bounded memory)
YAMAGUCHI = "350001"
# Fixed "today" of the dataset so that the same seed gives the same rows on any day:
# meetings after it are planned, action items before it may be done or overdue.
AS_OF = date(2026, 9, 30)
FIRST_ACTIVITY_FY = 2009  # H21: 地域移行推進員 were placed; the portal's oldest records
LAST_ACTIVITY_FY = 2026
LAST_OBSERVATION_FY = 2025
