import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import health_centre_lookup, portal_user_create

DEMO_USERS = [
    ("demo-pref", Role.PREFECTURE, None),
    ("demo-iwakuni", Role.HEALTH_CENTRE, "iwakuni"),
    ("demo-viewer", Role.VIEWER, None),
]


class Command(BaseCommand):
    help = (
        "デモ用アカウント（ロールごとに1人）を作成し、生成したパスワードを一度だけ表示します。DEBUG 時のみ。"
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("デモ用アカウントは DEBUG=1 の開発環境でのみ作成できます。")
        User = get_user_model()
        for username, role, centre_code in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"  {username}: 作成済み（パスワードは作成時にのみ表示されます）")
                continue
            password = secrets.token_urlsafe(12)
            centre = health_centre_lookup(centre_code) if centre_code else None
            portal_user_create(username=username, role=role, password=password, health_centre=centre)
            where = f"・{centre.name}" if centre else ""
            self.stdout.write(self.style.SUCCESS(f"  {username} / {password}  （{role.label}{where}）"))
