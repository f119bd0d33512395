from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "ダッシュボード"

    def ready(self):
        from dashboard.caching import track_dashboard_data

        track_dashboard_data()
