"""Generate a reproducible national-scale dataset for benchmarks.

    python bench/generate.py --scale 1     # 47 prefectures, 335 regions, 1,741 municipalities, …
    python bench/generate.py --scale 0.1   # a tenth, for quick runs

Uses DATABASE_URL like the portal (default: SQLite under var/). Run it on an empty, migrated
database, or pass `--fresh` to empty the database first (manage.py flush). Yamaguchi's real
reference data and sheet are loaded as they are in `make run`; the other 46 prefectures are
synthetic but shaped like real ones (valid 全国地方公共団体コード, 3–13 regions each).

What --scale changes: the number of meetings (200,000 × scale, with participants and action
items), case reviews (20,000 × scale), training sessions (50,000 × scale, with attendance) and
the fiscal years of observations (20 × scale, at least 2). Geography and users do not scale: the
per-region work of every page must be measured against all 335 regions even in a quick run.

Everything is seeded: the same scale and seed give the same rows (the printed fingerprint is
a hash of them). Rows are bulk-inserted but are what the service functions would write:
fiscal years derived from dates, versions, soft-deletion fields, case numbers per region and
year, and a history record (core.ChangeRecord) for every meeting and training session.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yamaguchi_portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("SECURE_HTTPS", "0")

# The dataset's shape, shared with bench/records.py (which must not import this script back).
from bench.dataset import (  # noqa: E402 (importable only once ROOT is on sys.path)
    BATCH,
    FULL,
    LAST_OBSERVATION_FY,
    NATIONAL,
    YAMAGUCHI,
)

MUNICIPAL_INDICATORS = ("population", "consultation_venue", "specific_consultation_offices")
BENCH_PASSWORD = "bench-password-2022"  # every generated user's password (bench databases only)
YAMAGUCHI_POPULATION = 1_315_949
LATER = (2023, 2024, 2024, 2025, 2026, 2027, 2028)


def lg_code(five: str) -> str:
    from regions.validators import check_digit

    return five + str(check_digit(five))


class Generator:
    def __init__(self, *, scale: float, seed: int, out=print):
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.out = out
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def n(self, national_count: int) -> int:
        return max(1, round(national_count * self.scale))

    def step(self, name, func):
        started = time.perf_counter()
        result = func()
        self.timings[name] = time.perf_counter() - started
        self.out(f"  {name}: {result} （{self.timings[name]:.1f} 秒）")
        return result

    def run(self):
        from django.db import transaction

        self.out(f"データ生成（scale={self.scale}、seed={self.seed}）")
        started = time.perf_counter()
        with transaction.atomic():
            self.step("reference", self.reference)
            self.step("geography", self.geography)
            self.step("users", self.users)
        with transaction.atomic():
            self.step("observations", self.observations)
            self.step("targets", self.targets)
        with transaction.atomic():
            self.step("meetings", self.meetings)
        with transaction.atomic():
            self.step("training", self.training)
        self.step("analyze", self.analyze)
        self.total_seconds = time.perf_counter() - started
        self.out(f"  合計 {self.total_seconds:.1f} 秒")
        return self

    # --- reference data, geography, users --------------------------------------------------------

    def reference(self) -> str:
        import io

        from django.core.management import call_command

        call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
        call_command("load_sheet", stdout=io.StringIO())
        return "山口県の基準データと R4 共有シート"

    # Geography scales with the country, not with --scale: the dashboard's per-region work must be
    # measured against all 335 regions even in a quick run.
    def geography(self) -> str:
        from regions.models import HealthCentre, Municipality, Prefecture, Region

        # The 47 prefectures ship as reference data (regions/data/japan.json); those without regions
        # (all but Yamaguchi) get synthetic ones. An older database without the country list gets
        # the prefectures first.
        existing = set(Prefecture.objects.values_list("code", flat=True))
        prefectures = [
            Prefecture(code=lg_code(f"{number:02d}000"), name=f"第{number:02d}県")
            for number in range(1, NATIONAL["prefectures"] + 1)
            if lg_code(f"{number:02d}000") not in existing
        ]
        Prefecture.objects.bulk_create(prefectures, batch_size=BATCH)
        synthetic = list(
            Prefecture.objects.country().exclude(code=YAMAGUCHI).filter(regions__isnull=True).order_by("code")
        )
        region_quota = NATIONAL["regions"] - Region.objects.count()
        municipality_quota = NATIONAL["municipalities"] - Municipality.objects.count()
        per_pref_regions = self._split(region_quota, len(synthetic), minimum=3)
        regions = []
        for prefecture, count in zip(synthetic, per_pref_regions, strict=True):
            number = int(prefecture.code[:2])
            for index in range(1, count + 1):
                regions.append(
                    Region(
                        prefecture=prefecture,
                        code=f"{number:02d}{index:02d}",
                        name=f"第{index}圏域",
                        display_order=index,
                    )
                )
        Region.objects.bulk_create(regions, batch_size=BATCH)
        regions = list(
            Region.objects.filter(prefecture__in=synthetic).select_related("prefecture").order_by("code")
        )
        per_region = self._split(municipality_quota, len(regions), minimum=1)
        municipalities = []
        counters: dict[str, int] = {}
        for region, count in zip(regions, per_region, strict=True):
            pref = region.prefecture.code[:2]
            for _ in range(count):
                counters[pref] = counters.get(pref, 200) + 1
                municipalities.append(
                    Municipality(
                        prefecture_id=region.prefecture_id,
                        region=region,
                        code=lg_code(f"{pref}{counters[pref]:03d}"),
                        name=f"{region.prefecture.name}第{counters[pref] - 200}市",
                        kind=Municipality.Kind.CITY,
                    )
                )
        Municipality.objects.bulk_create(municipalities, batch_size=BATCH)
        centres = [
            HealthCentre(
                prefecture_id=region.prefecture_id,
                code=f"hc{region.code}",
                name=f"{region.prefecture.name}{region.name}保健所",
                operator=region.prefecture.name,
                display_order=region.display_order,
            )
            for region in regions
        ]
        HealthCentre.objects.bulk_create(centres, batch_size=BATCH)
        links = HealthCentre.regions.through
        by_code = {c.code: c.pk for c in HealthCentre.objects.filter(code__startswith="hc")}
        links.objects.bulk_create(
            [links(healthcentre_id=by_code[f"hc{r.code}"], region_id=r.pk) for r in regions], batch_size=BATCH
        )
        return (
            f"都道府県 {Prefecture.objects.country().count()}、圏域 {Region.objects.count()}、"
            f"市町村 {Municipality.objects.count()}、保健所 {HealthCentre.objects.count()}"
        )

    def _split(self, total: int, parts: int, *, minimum: int) -> list[int]:
        """Split `total` into `parts` seeded random sizes of at least `minimum` that add up exactly."""
        sizes = [minimum] * parts
        for _ in range(total - minimum * parts):
            sizes[self.rng.randrange(parts)] += 1
        return sizes

    def users(self) -> str:
        """bench-official (prefecture), bench-viewer-1…10, and one staff member per health centre."""
        from django.apps import apps
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        from accounts.models import Profile, Role
        from regions.models import HealthCentre

        User = get_user_model()
        password = make_password(BENCH_PASSWORD, salt="benchsalt")  # one hash: hashing is the slow part
        specs = [("bench-official", Role.PREFECTURE, None)]
        specs += [(f"bench-viewer-{i}", Role.VIEWER, None) for i in range(1, 11)]
        specs += [
            (f"bench-staff-{c.code}", Role.HEALTH_CENTRE, c) for c in HealthCentre.objects.order_by("code")
        ]
        User.objects.bulk_create(
            [User(username=name, password=password, is_active=True) for name, _, _ in specs],
            batch_size=BATCH,
        )
        ids = dict(User.objects.filter(username__startswith="bench-").values_list("username", "pk"))
        Profile.objects.bulk_create(
            [Profile(user_id=ids[name], role=role, health_centre=centre) for name, role, centre in specs],
            batch_size=BATCH,
        )
        if apps.is_installed("django_otp.plugins.otp_totp"):
            # Officials must pass TOTP; the benchmark marks its sessions verified with this device.
            from django_otp.plugins.otp_totp.models import TOTPDevice

            TOTPDevice.objects.create(
                user_id=ids["bench-official"],
                name="ベンチマーク",
                confirmed=True,
                key=f"{self.rng.getrandbits(160):040x}",
            )
        return f"利用者 {len(specs)}（県職員 1、閲覧者 10、保健所職員 {len(specs) - 11}）"

    # --- observations and targets ------------------------------------------------------------------

    def observation_years(self) -> list[int]:
        count = max(2, round(FULL["observation_years"] * self.scale))
        return list(range(LAST_OBSERVATION_FY - count + 1, LAST_OBSERVATION_FY + 1))

    def _areas(self):
        """Every prefecture with its regions and municipalities, each with a population and the
        fiscal year from which it has a 協議の場 (Yamaguchi's as in the R4 sheet: all 8 regions by
        R3, 12 of 19 municipalities by R4.4)."""
        from bench.texts import YAMAGUCHI_REGION_WEIGHTS
        from regions.models import HealthCentre, Municipality, Prefecture, Region

        rng = random.Random(self.seed + 1)
        centre_counts = defaultdict(int)
        for region_id in HealthCentre.regions.through.objects.values_list("region_id", flat=True):
            centre_counts[region_id] += 1
        regions_by_pref = defaultdict(list)
        for region in Region.objects.order_by("code"):
            regions_by_pref[region.prefecture_id].append(region)
        munis_by_region = defaultdict(list)
        for muni in Municipality.objects.order_by("code"):
            munis_by_region[muni.region_id].append(muni)
        areas = []
        for pref in Prefecture.objects.country():
            yamaguchi = pref.code == YAMAGUCHI
            population = YAMAGUCHI_POPULATION if yamaguchi else round(rng.lognormvariate(14.6, 0.6))
            pref_area = {
                "prefecture": pref,
                "region": None,
                "municipality": None,
                "population": population,
                "venue_from": 2016 if yamaguchi else rng.randint(2012, 2021),
                "subcommittee_from": 2023 if yamaguchi else rng.randint(2010, 2030),
                "factor": 1.0 if yamaguchi else rng.uniform(0.7, 1.4),
                "yamaguchi": yamaguchi,
                "regions": [],
                "municipalities": [],
                "centres": 0,
            }
            areas.append(pref_area)
            regions = regions_by_pref[pref.pk]
            if yamaguchi:
                weights = [YAMAGUCHI_REGION_WEIGHTS.get(r.code, 0.05) for r in regions]
            else:
                weights = [rng.uniform(0.4, 2.0) for _ in regions]
            total_weight = sum(weights)
            # Yamaguchi: 12 of 19 municipalities had one by R4.4 (the sheet), the rest later.
            muni_venues = iter(
                (2018, 2019, 2019, 2020, 2020, 2020, 2021, 2021, 2021, 2021, 2022, 2022, *LATER)
            )
            for region, weight in zip(regions, weights, strict=True):
                region_area = {
                    **pref_area,
                    "region": region,
                    "population": round(population * weight / total_weight),
                    "venue_from": rng.randint(2017, 2021) if yamaguchi else rng.randint(2015, 2025),
                    "subcommittee_from": rng.randint(2012, 2030),
                    "factor": pref_area["factor"] * rng.uniform(0.85, 1.15),
                    "municipalities": [],
                    "centres": centre_counts[region.pk],
                }
                pref_area["regions"].append(region_area)
                pref_area["centres"] += centre_counts[region.pk]
                munis = munis_by_region[region.pk]
                muni_weights = [rng.uniform(0.3, 3.0) for _ in munis]
                for muni, muni_weight in zip(munis, muni_weights, strict=True):
                    muni_area = {
                        **region_area,
                        "municipality": muni,
                        "population": round(region_area["population"] * muni_weight / sum(muni_weights)),
                        "venue_from": next(muni_venues) if yamaguchi else rng.randint(2016, 2032),
                    }
                    region_area["municipalities"].append(muni_area)
                    pref_area["municipalities"].append(muni_area)
            if yamaguchi:  # the shared 協議の場 list above is in municipality-code order; shuffle it fairly
                froms = [m["venue_from"] for m in pref_area["municipalities"]]
                rng.shuffle(froms)
                for muni_area, venue_from in zip(pref_area["municipalities"], froms, strict=True):
                    muni_area["venue_from"] = venue_from
        return areas

    def _figures(self, area, year: int, rng: random.Random) -> dict[str, int | float]:
        """Every indicator's value for one area in one fiscal year, consistent with each other:
        parts add up to totals, counts of regions/municipalities with a venue are counted from them."""
        t = year - 2021
        level = "muni" if area["municipality"] else "region" if area["region"] else "pref"
        pop = area["population"] * (1 - 0.006 * t)
        per_capita = pop / YAMAGUCHI_POPULATION * area["factor"]

        def grown(base, rate):
            return max(0, round(base * per_capita * (1 + rate) ** t * rng.uniform(0.95, 1.05)))

        figures: dict[str, int | float] = {
            "population": round(pop),
            "specific_consultation_offices": grown(99, 0.04),
            "consultation_venue": int(year >= area["venue_from"]),
        }
        if level == "muni":
            return figures
        inpatients = grown(5111, -0.012)
        under_3m = round(inpatients * rng.uniform(0.13, 0.155))
        three_to_12 = round(inpatients * rng.uniform(0.16, 0.185))
        long_stay = inpatients - under_3m - three_to_12
        elderly = round(long_stay * min(0.85, max(0.4, 0.70 + 0.012 * t + rng.uniform(-0.02, 0.02))))
        rate3 = min(75.0, max(30.0, 48.6 + 1.0 * (year - 2017) * area["factor"] + rng.uniform(-2, 2)))
        rate6 = min(88.0, rate3 + 21 + rng.uniform(-2, 2))
        rate12 = min(95.0, rate6 + 9 + rng.uniform(-1.5, 1.5))
        if level == "pref":
            regions_with_venue = sum(year >= r["venue_from"] for r in area["regions"])
            municipality_count = len(area["municipalities"])
            region_count = len(area["regions"])
        else:
            regions_with_venue = int(year >= area["venue_from"])
            municipality_count = len(area["municipalities"])
            region_count = 1
        figures.update(
            {
                "municipality_count": municipality_count,
                "region_count": region_count,
                "psychiatric_hospitals": max(1, grown(31, -0.005)),
                "psychiatric_beds": grown(5839, -0.01),
                "health_centres": area["centres"],
                "core_consultation_centres": grown(8, 0.08),
                "general_consultation_offices": grown(51, 0.03),
                "consultation_venue_count": int(year >= area["venue_from"]),
                "consultation_venue_regions": regions_with_venue,
                "consultation_venue_municipalities": sum(
                    year >= m["venue_from"] for m in area["municipalities"]
                ),
                "support_council_frequency": rng.randint(1, 4) if level == "pref" else rng.randint(2, 6),
                "mental_health_subcommittee": int(year >= area["subcommittee_from"]),
                "inpatients_total": inpatients,
                "inpatients_under_3m": under_3m,
                "inpatients_3m_to_1y": three_to_12,
                "inpatients_1y_plus": long_stay,
                "inpatients_1y_plus_65_over": elderly,
                "inpatients_1y_plus_under_65": long_stay - elderly,
                "discharge_rate_3m": round(rate3, 1),
                "discharge_rate_6m": round(rate6, 1),
                "discharge_rate_12m": round(rate12, 1),
                # 第7期・第8期案 indicators: subsets of the long-stay counts, and the national baselines
                # (平均生活日数 ~316 days, 再入院率 FY2019 14.6 / 22.6 / 31.1 %) drifting a little by area.
                "inpatients_1y_plus_75_over": round(elderly * rng.uniform(0.55, 0.65)),
                "inpatients_1y_plus_dementia_40_over": round(long_stay * rng.uniform(0.15, 0.22)),
                "community_days_after_discharge": round(
                    min(340.0, 316.0 + 1.5 * (year - 2017) * area["factor"] + rng.uniform(-3, 3)), 1
                ),
                "readmission_rate_90d": round(max(5.0, 14.6 - 0.3 * (year - 2019) + rng.uniform(-1, 1)), 1),
                "readmission_rate_180d": round(max(8.0, 22.6 - 0.3 * (year - 2019) + rng.uniform(-1, 1)), 1),
                "readmission_rate_365d": round(max(12.0, 31.1 - 0.3 * (year - 2019) + rng.uniform(-1, 1)), 1),
            }
        )
        return figures

    def observations(self) -> str:
        """Every indicator × (each prefecture and each region) × fiscal year, and a few indicators per
        municipality; in the period shape of Yamaguchi's real figure for that indicator (R4年4月時点,
        R3年6月時点 for the 630調査, 年度 for NDB rates). Yamaguchi's own prefecture series is
        history before its real figures, which stay as loaded from the sheet."""
        from core.fiscal import fiscal_year_label
        from indicators.models import Indicator, Observation, area_key_for
        from indicators.values import period_from_text

        indicators = {i.code: i for i in Indicator.objects.all()}
        shapes: dict[str, tuple[str, int]] = {}
        latest_real: dict[int, date] = {}
        existing = set()
        for obs in Observation.objects.order_by("period_end"):
            existing.add((obs.indicator_id, obs.area_key, obs.period_key))
            latest_real[obs.indicator_id] = obs.period_end
            shapes[obs.indicator_id] = (obs.period_kind, obs.as_of.month if obs.as_of else 0)

        periods = {}

        def period(indicator, year):
            kind, month = shapes.get(indicator.pk, ("fiscal_year", 0))
            key = (kind, month, year)
            if key not in periods:
                if kind == "month":
                    text = f"{year if month >= 4 else year + 1}年{month}月"
                elif kind == "year":
                    text = f"{year}年"
                else:
                    text = fiscal_year_label(year, short=True)
                periods[key] = period_from_text(text)
            return periods[key]

        rng = random.Random(self.seed + 2)
        rows = []
        count = 0
        for pref_area in self._areas():
            areas = [pref_area, *pref_area["regions"]]
            for year in self.observation_years():
                for area in [*areas, *pref_area["municipalities"]]:
                    figures = self._figures(area, year, rng)
                    codes = MUNICIPAL_INDICATORS if area["municipality"] else figures
                    area_key = area_key_for(
                        prefecture=area["prefecture"],
                        region=area["region"],
                        municipality=area["municipality"],
                    )
                    for code in codes:
                        indicator = indicators.get(code)
                        if indicator is None:
                            continue
                        p = period(indicator, year)
                        if (indicator.pk, area_key, p.key) in existing:
                            continue
                        real_end = latest_real.get(indicator.pk)
                        if area is pref_area and area["yamaguchi"] and real_end and p.period_end >= real_end:
                            continue  # Yamaguchi's real figure is the newest of its series
                        rows.append(
                            Observation(
                                indicator=indicator,
                                prefecture=area["prefecture"],
                                region=None if area["municipality"] else area["region"],
                                municipality=area["municipality"],
                                area_key=area_key,
                                period_kind=p.kind,
                                fiscal_year=p.fiscal_year,
                                as_of=p.as_of,
                                period_end=p.period_end,
                                period_key=p.key,
                                value=Decimal(str(figures[code])),
                                provenance=f"ベンチマーク用の生成データ（{indicator.usual_source}相当）",
                            )
                        )
                    if len(rows) >= BATCH * 4:
                        Observation.objects.bulk_create(rows, batch_size=BATCH)
                        count += len(rows)
                        rows = []
        Observation.objects.bulk_create(rows, batch_size=BATCH)
        count += len(rows)
        self.counts["observations"] = Observation.objects.count()
        years = self.observation_years()
        return f"観測値 {count:,} 件を追加（{years[0]}〜{years[-1]}年度、合計 {self.counts['observations']:,} 件）"

    def targets(self) -> str:
        """The national plans' targets for every other prefecture (Yamaguchi's come from its sheet)."""
        from indicators.models import Indicator, Observation, Plan, Target, area_key_for
        from regions.models import Prefecture

        indicators = {i.code: i for i in Indicator.objects.all()}
        plans = {p.first_fiscal_year: p for p in Plan.objects.filter(issuer=Plan.Issuer.NATIONAL)}
        national = {
            2021: {"discharge_rate_3m": "69", "discharge_rate_6m": "86", "discharge_rate_12m": "92"},
            2024: {"discharge_rate_3m": "68.9", "discharge_rate_6m": "84.5", "discharge_rate_12m": "91"},
        }
        long_stay = indicators.get("inpatients_1y_plus")
        latest_long_stay = {}
        if long_stay is not None:
            for obs in Observation.objects.filter(
                indicator=long_stay, region=None, municipality=None
            ).order_by("period_end"):
                latest_long_stay[obs.prefecture_id] = obs.value
        rows = []
        for pref in Prefecture.objects.country().exclude(code=YAMAGUCHI):
            key = area_key_for(prefecture=pref)
            for first_year, values in national.items():
                plan = plans.get(first_year)
                if plan is None:
                    continue
                for code, value in values.items():
                    if code in indicators:
                        rows.append(
                            Target(
                                indicator=indicators[code],
                                plan=plan,
                                prefecture=pref,
                                area_key=key,
                                fiscal_year=plan.last_fiscal_year,
                                value=Decimal(value),
                                comparator=Target.Comparator.GTE,
                            )
                        )
                if long_stay is not None and pref.pk in latest_long_stay:
                    rows.append(
                        Target(
                            indicator=long_stay,
                            plan=plan,
                            prefecture=pref,
                            area_key=key,
                            fiscal_year=plan.last_fiscal_year,
                            value=(latest_long_stay[pref.pk] * Decimal("0.85")).quantize(Decimal(1)),
                            comparator=Target.Comparator.LTE,
                        )
                    )
        Target.objects.bulk_create(rows, batch_size=BATCH)
        self.counts["targets"] = Target.objects.count()
        return f"目標値 {len(rows)} 件を追加（合計 {self.counts['targets']} 件）"

    # --- meetings, cases, training -----------------------------------------------------------------

    def meetings(self) -> str:
        from bench import records

        if not records.meetings_available():
            return "会議アプリ（meetings）がまだ main にないため省略"
        result = records.MeetingWriter(self).write()
        self.counts.update(result)
        return (
            f"会議 {result['meetings']:,}、参加者数 {result['participations']:,}、"
            f"対応事項 {result['action_items']:,}、事例 {result['cases']:,}、追跡調査 {result['followups']:,}"
        )

    def training(self) -> str:
        from bench import records

        result = records.TrainingWriter(self).write()
        self.counts.update(result)
        return (
            f"研修 {result['training_sessions']:,}、参加者数 {result['training_attendances']:,}、"
            f"ピアサポーター活用事業 {result['peer_support_programmes']:,}"
        )

    def analyze(self) -> str:
        """Fresh planner statistics, as after any bulk load (autovacuum would do it later on PostgreSQL)."""
        from django.db import connection

        from core import versions
        from indicators.versions import ACTIVITY_DATA, INDICATOR_DATA

        for name in (INDICATOR_DATA, ACTIVITY_DATA):  # bulk_create sends no signals: no cache is stale
            versions.changed(name)

        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block  # (not in a test)
        statement = "VACUUM ANALYZE" if vacuum else "ANALYZE"
        with connection.cursor() as cursor:  # VACUUM also sets the visibility map (index-only scans)
            cursor.execute(statement)
        return f"{statement}（{connection.vendor}）"


def fingerprint() -> str:
    """A hash of the generated rows by their natural keys (pk-independent): equal seeds, equal hashes."""
    from django.apps import apps

    digest = hashlib.sha256()
    tables = [
        ("regions.Region", ("code", "name", "prefecture__code"), ("code",)),
        ("regions.Municipality", ("code", "name", "region__code"), ("code",)),
        (
            "indicators.Observation",
            ("indicator__code", "area_key", "period_key", "value"),
            ("indicator__code", "area_key", "period_key"),
        ),
        ("training.TrainingSession", ("start_date", "title", "region__code", "hours", "fiscal_year"), None),
    ]
    if records_module().meetings_available():
        tables += [
            ("meetings.Meeting", ("date", "title", "region__code", "kind", "fiscal_year", "version"), None),
            (
                "meetings.CaseReview",
                ("case_number", "status", "discharge_month"),
                ("region__code", "case_number"),
            ),
        ]
    for label, fields, order in tables:
        model = apps.get_model(label)
        for row in model.objects.order_by(*(order or fields)).values_list(*fields):
            digest.update(repr(tuple(str(v) for v in row)).encode())
    return digest.hexdigest()[:16]


def records_module():
    from bench import records

    return records


def row_counts() -> dict[str, int]:
    """Rows per table the benchmark reads (for RESULTS.md and the generator's test)."""
    from django.apps import apps

    labels = [
        "regions.Prefecture",
        "regions.Region",
        "regions.Municipality",
        "regions.HealthCentre",
        "auth.User",
        "indicators.Indicator",
        "indicators.Observation",
        "indicators.Target",
        "training.TrainingSession",
        "training.TrainingAttendance",
        "training.PeerSupportProgramme",
        "core.ChangeRecord",
    ]
    if records_module().meetings_available():
        labels += [
            "meetings.Meeting",
            "meetings.Participation",
            "meetings.ActionItem",
            "meetings.CaseReview",
            "meetings.CaseFollowUp",
        ]
    return {label: apps.get_model(label).objects.count() for label in labels}


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=0.1, help="1 = 全国規模、0.1 = その1/10")
    parser.add_argument("--seed", type=int, default=20221)
    parser.add_argument("--fresh", action="store_true", help="生成前にデータベースを空にします（flush）")
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 10:
        parser.error("--scale は 0 より大きく 10 以下で指定してください")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from regions.models import Region

    if args.fresh:
        if get_user_model().objects.exclude(username__startswith="bench-").exists():
            sys.exit(
                "--fresh は生成したデータベースか空のデータベースにだけ使えます（ほかの利用者がいます）。"
            )
        call_command("flush", interactive=False, verbosity=0)

    if Region.objects.count() > 8:
        sys.exit("このデータベースには生成済みのデータがあります。--fresh を付けると空にしてから生成します。")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # a bulk load: durability per statement is not needed
            cursor.execute("PRAGMA synchronous=OFF")
    generator = Generator(scale=args.scale, seed=args.seed).run()
    counts = row_counts()
    for label, count in counts.items():
        print(f"    {label}: {count:,}")
    print(f"  fingerprint: {fingerprint()}")
    return generator


if __name__ == "__main__":
    main()
