#!/bin/sh
# Writes a local install's settings file (default var/local.env) once: DEBUG on, plain HTTP and a
# random SECRET_KEY. settings.py reads it when it exists, so every manage.py and make command in the
# README works in a plain shell; a variable set in the environment still wins. A server never has
# this file (the Docker image is built without var/ and reads none), so production stays strict.
set -eu
file="${1:-var/local.env}"
if [ -e "$file" ]; then
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
ENV
mv "$file.tmp" "$file"
echo "$file を作成しました（DEBUG=1、SECURE_HTTPS=0、SECRET_KEY はランダム）。"
