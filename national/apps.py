from django.apps import AppConfig


class NationalConfig(AppConfig):
    name = "national"
    verbose_name = "全国との比較"

    def ready(self):
        # indicators must not import national: the wide import's source gaps follow its batch through
        # these callbacks (recorded when it is applied, removed when it is undone).
        from indicators.services import imports
        from national import services

        imports.register_hooks(on_apply=services.gaps_record, on_undo=services.gaps_remove)
