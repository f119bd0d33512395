import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import health_centre_lookup, portal_user_create


class Command(BaseCommand):
    help = "ポータル利用者を作成します。パスワードは環境変数 PORTAL_USER_PASSWORD、なければ入力を求めます。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help="prefecture | health_centre | viewer")
        parser.add_argument(
            "--health-centre", dest="health_centre", help="保健所のコード・正式名称・名称の一部"
        )

    def handle(self, *args, username, role, health_centre, **options):
        if role not in Role.values:
            raise CommandError(
                f"ロール「{role}」は使えません。prefecture / health_centre / viewer のいずれかです。"
            )
        try:
            centre = health_centre_lookup(health_centre) if health_centre else None
            password = os.environ.get("PORTAL_USER_PASSWORD") or self._prompt_password()
            user = portal_user_create(username=username, role=role, password=password, health_centre=centre)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        where = f"（{centre.name}）" if centre else ""
        self.stdout.write(
            self.style.SUCCESS(f"利用者「{user.username}」を {Role(role).label}{where} として作成しました。")
        )

    def _prompt_password(self) -> str:
        if not os.isatty(0):
            raise CommandError(
                "パスワードを環境変数 PORTAL_USER_PASSWORD で指定してください（入力できる端末がありません）。"
            )
        first = getpass.getpass("パスワード: ")
        if first != getpass.getpass("パスワード（確認）: "):
            raise CommandError("パスワードが一致しません。")
        return first
