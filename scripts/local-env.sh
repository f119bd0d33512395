#!/bin/sh
# Writes a local install's settings file (default var/local.env) once: DEBUG on, plain HTTP, a random
# SECRET_KEY and mail printed on the console. settings.py reads it when it exists, so every manage.py
# and make command in the README works in a plain shell; a variable set in the environment still wins.
# A server never has this file (the Docker image is built without var/ and reads none), so production
# stays strict. An existing file keeps its values; settings added since it was written are appended
# (`make run` calls this every time), so an older install prints mail too instead of trying SMTP.
set -eu
file="${1:-var/local.env}"
console_mail="EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend"
if [ -e "$file" ]; then
    if ! grep -q '^EMAIL_BACKEND=' "$file"; then
        printf '# メールは送らず、画面（コンソール）に表示します。\n%s\n' "$console_mail" >>"$file"
        echo "$file に EMAIL_BACKEND（メールをコンソールに表示）を追記しました。"
    fi
    exit 0
fi
mkdir -p "$(dirname "$file")"
umask 077
key="$("${PYTHON:-python3}" -c 'import secrets; print(secrets.token_urlsafe(50))')"
cat >"$file.tmp" <<ENV
# make run が作成したローカル環境用の設定です（本番では使いません。環境変数が優先されます）。
DEBUG=1
SECURE_HTTPS=0
SECRET_KEY=$key
# メールは送らず、画面（コンソール）に表示します。
$console_mail
ENV
mv "$file.tmp" "$file"
echo "$file を作成しました（DEBUG=1、SECURE_HTTPS=0、SECRET_KEY はランダム、メールはコンソールに表示）。"
