from django.apps import AppConfig


class PdcaConfig(AppConfig):
    name = "pdca"
    verbose_name = "圏域の取組状況（PDCA）"
