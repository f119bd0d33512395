from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "指標"

    def ready(self):
        from indicators.versions import track_dashboard_data

        track_dashboard_data()
