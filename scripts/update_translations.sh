#!/bin/sh
# Refresh the German translation after strings were added or changed.
#
#   scripts/update_translations.sh           # extract strings, then compile
#
# 1. `makemessages` collects every string marked for translation (gettext_lazy / _() in
#    Python, {% translate %} / {% blocktranslate %} in templates) into
#    backcourse/locale/de/LC_MESSAGES/django.po. Existing translations are kept; new
#    strings arrive with an empty msgstr, changed ones are marked "#, fuzzy".
# 2. Translate the empty and fuzzy entries in that file (remove the "#, fuzzy" line once
#    checked). Wording: Klient/in, Therapeut/in, Behandlungsserie (course), Sitzung
#    (session), Sitzungsprotokoll (session record), Schmerz, Verspannung, Erhaltung
#    (maintenance); clients are addressed with "Sie".
# 3. Run this script again (or only `compilemessages`) to build django.mo, and commit
#    both django.po and django.mo: the running application needs only the .mo, not
#    gettext.
#
# Needs GNU gettext (Debian: apt-get install gettext). Apps that keep their own catalogue
# (backcourse/<app>/locale, e.g. notifications) are left to their owners and skipped here.
# `tests/practices/test_languages.py` fails while any entry is untranslated or fuzzy.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-"$ROOT/.venv/bin/python"}
cd "$ROOT/backcourse"

IGNORES=""
for dir in */locale; do
    [ "$dir" = "*/locale" ] && break
    IGNORES="$IGNORES --ignore=${dir%/locale}/*"
done

# shellcheck disable=SC2086  # IGNORES is a list of words
"$PY" ../manage.py makemessages -l de --add-location=file --no-obsolete $IGNORES
"$PY" ../manage.py compilemessages -l de --ignore='*/locale'

untranslated=$(msgattrib --untranslated --no-obsolete locale/de/LC_MESSAGES/django.po | grep -c '^msgid ' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete locale/de/LC_MESSAGES/django.po | grep -c '^msgid ' || true)
echo "German catalogue: $(( $(grep -c "^msgid " locale/de/LC_MESSAGES/django.po) - 1 )) entries;" \
    "untranslated: $(( untranslated > 0 ? untranslated - 1 : 0 )), fuzzy: $(( fuzzy > 0 ? fuzzy - 1 : 0 ))" \
    "(the counts skip the header)."
