from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import health_centre_lookup, portal_user_update_access


class Command(BaseCommand):
    help = "利用者のロール・所属保健所・有効／無効を変更します（変更は監査ログに記録されます）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", help="prefecture | health_centre | viewer")
        parser.add_argument(
            "--health-centre", dest="health_centre", help="保健所のコード・正式名称・名称の一部"
        )
        active = parser.add_mutually_exclusive_group()
        active.add_argument("--activate", dest="is_active", action="store_true", default=None)
        active.add_argument("--deactivate", dest="is_active", action="store_false")

    def handle(self, *args, username, role, health_centre, is_active, **options):
        if role is not None and role not in Role.values:
            raise CommandError(
                f"ロール「{role}」は使えません。prefecture / health_centre / viewer のいずれかです。"
            )
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"利用者「{username}」は存在しません。")
        kwargs = {"role": role, "is_active": is_active}
        try:
            if health_centre:
                kwargs["health_centre"] = health_centre_lookup(health_centre)
            event = portal_user_update_access(by=None, user=user, **kwargs)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if event is None:
            self.stdout.write("変更はありません。")
        else:
            self.stdout.write(self.style.SUCCESS(f"利用者「{username}」の権限を変更しました。"))
