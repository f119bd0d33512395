"""The names of the data versions the dashboard's caches are keyed on (core.versions).

INDICATOR_DATA: what the indicator part of the dashboard is computed from (definitions, plans,
targets, values, the prefecture's areas). ACTIVITY_DATA: the records its activity part counts
(meetings, case reviews and their follow-ups, action items, training). A meeting saved raises the
second only, so the indicator part stays cached while health centres log their work.

The names live here, in the layer that writes the data: a write that sends no signal (the import's
`bulk_create`) calls `versions.changed(INDICATOR_DATA)` itself. Which tables raise each version is
registered by the reader, `dashboard.caching`.
"""

INDICATOR_DATA = "dashboard-indicators"
ACTIVITY_DATA = "dashboard-activity"
