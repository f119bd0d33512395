"""Form data for the training screens, as a browser would post it."""


def session_post_data(**overrides) -> dict:
    data = {
        "course": "transition",
        "title": "地域移行・地域定着研修（岩国圏域）",
        "start_date": "2022-07-01",
        "end_date": "2022-07-01",
        "hours": "2.5",
        "organiser_kind": "disability_support",
        "organiser_health_centre": "",
        "organiser_other": "",
        "region": "",
        "place": "岩国市民会館",
        "respondents": "10",
        "satisfied": "8",
        "requests": "事例検討を増やしてほしい",
        "version": "",
        "counts-hospital_nurse": "4",
        "counts-consultation_office": "3",
    }
    data.update({k: str(v) for k, v in overrides.items()})
    return data


def peer_post_data(**overrides) -> dict:
    data = {
        "hospitals_surveyed": "6",
        "hospitals_wanting": "3",
        "offices_surveyed": "12",
        "offices_wanting": "5",
        "needs_purpose": "病棟での体験発表",
        "trained": "8",
        "registered": "6",
        "active": "4",
        "hospital_visits": "10",
        "meeting_participations": "3",
        "other_activities": "",
        "version": "",
    }
    data.update({k: str(v) for k, v in overrides.items()})
    return data
