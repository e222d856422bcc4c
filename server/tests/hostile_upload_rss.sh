#!/usr/bin/env bash
# The server's peak memory under hostile uploads: starts `hocvuso serve` on a fresh SQLite file, posts
# the far-cell workbook (A1 and XFD1048576) and ~50 hostile variants (deflate bombs, sparse far cells,
# huge used ranges, deep nesting, too many parts, CSVs of separators) to the three import routes, four
# at a time, while polling /healthz; then prints the status codes, the failed health checks and the
# server's peak RSS (VmHWM).
#   server/tests/hostile_upload_rss.sh [path/to/hocvuso]   (default: target/debug/hocvuso)
set -euo pipefail

BIN=${1:-target/debug/hocvuso}
PASSWORD=ruong-bac-thang-2026
WORK=$(mktemp -d)
SERVER=""
POLLER=""
cleanup() {
    [ -n "$POLLER" ] && kill "$POLLER" 2>/dev/null
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
export DATABASE_URL="sqlite://$WORK/hocvuso.db?mode=rwc" HOCVUSO_LOG=warn
HOCVUSO_ADMIN_PASSWORD=$PASSWORD "$BIN" create-admin --username quantri >/dev/null
HOCVUSO_ADDR=127.0.0.1:$PORT "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 200); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done

# The files, written with Python's zipfile: every workbook is a real zip that unpacks as it claims.
python3 - "$WORK" <<'PY'
import sys, zipfile, random
work = sys.argv[1]
random.seed(2026)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

def letters(column):
    out = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out

def xlsx(name, sheet, strings=None, entries=0):
    with zipfile.ZipFile(f"{work}/{name}.xlsx", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("xl/workbook.xml", f'<workbook {NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        if strings is not None:
            z.writestr("xl/sharedStrings.xml", strings)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for i in range(entries):
            z.writestr(f"xl/media/{i}.xml", "")

def sheet(rows, head=""):
    return f'<worksheet {NS}>{head}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>full_name</t></is></c></row>{rows}</sheetData></worksheet>'

xlsx("far-cell", sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', '<dimension ref="A1:XFD1048576"/>'))
for i in range(20):  # far cells: past column 200 or row 1,000,000
    column, row = random.randrange(200, 16384), random.randrange(2, 1_048_577)
    xlsx(f"far-{i}", sheet(f'<row r="{row}"><c r="{letters(column)}{row}"><v>1</v></c></row>'))
for i, size in enumerate([210, 250, 400]):  # sheet bombs of empty rows, MB unpacked
    xlsx(f"sheet-bomb-{i}", sheet("<row/>" * ((size << 20) // 6)))
for i, size in enumerate([60, 100]):  # shared-string bombs
    xlsx(f"strings-bomb-{i}", sheet('<row><c t="s"><v>0</v></c></row>'), "<sst>" + "<si><t>Lo Van Pao</t></si>" * ((size << 20) // 26) + "</sst>")
for i, size in enumerate([300, 600]):  # one text run of spaces
    xlsx(f"spaces-bomb-{i}", sheet("", " " * (size << 20)))
for i in range(4):  # sparse but within the limits: column 200 of 3,000,000 / 200 rows
    rows = "".join(f'<row r="{r}"><c r="GR{r}"><v>{r}</v></c></row>' for r in range(2, 14_000 + i * 250))
    xlsx(f"sparse-within-{i}", sheet(rows))
for i in range(4):  # the text budget: cells referring to one long shared string
    xlsx(f"text-budget-{i}", sheet("".join(f'<row r="{r}"><c t="s"><v>0</v></c></row>' for r in range(2, 200 + i * 50))), "<sst><si><t>" + "x" * (900_000) + "</t></si></sst>")
for i in range(4):  # used ranges that claim more than a table may hold
    xlsx(f"dimension-{i}", sheet("<row><c><v>1</v></c></row>", f'<dimension ref="A1:{letters(random.randrange(200, 16384))}{random.randrange(2, 1_048_577)}"/>'))
for i in range(4):  # deep nesting
    depth = 65 + i * 10_000
    xlsx(f"deep-{i}", sheet("", "<x>" * depth + "</x>" * depth))
for i in range(3):  # too many parts
    xlsx(f"entries-{i}", sheet(""), entries=10_001 + i * 20_000)
for i in range(3):  # CSVs of separators, and one long field
    with open(f"{work}/csv-{i}.csv", "w") as f:
        f.write("full_name\n" + ("," * (19 << 20) if i < 2 else "x" * (19 << 20)) + "\n")
PY

curl -s -c "$WORK/cookies" -o /dev/null -H 'content-type: application/json' \
    -d "{\"username\":\"quantri\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/session"

BEFORE=$(awk '/VmHWM/ {print $2, $3}' "/proc/$SERVER/status")

# /healthz every 200 ms: each line is a status code.
( while true; do curl -s -o /dev/null -m 5 -w '%{http_code}\n' "$BASE/healthz" || echo 000; sleep 0.2; done ) >"$WORK/health" &
POLLER=$!

FILES=("$WORK"/*.xlsx "$WORK"/*.csv)
START=$(date +%s)
for file in "${FILES[@]}"; do
    for route in imports/learners imports/completions imports/targets; do
        echo "$route $file"
    done
done | xargs -P 4 -L 1 sh -c 'curl -s -o /dev/null -m 120 -b "$0" -w "%{http_code} ${3##*/}\n" --data-binary "@$3" "$1/api/v1/$2"' \
    "$WORK/cookies" "$BASE" 2>/dev/null >"$WORK/codes" || true
ELAPSED=$(( $(date +%s) - START ))
kill "$POLLER" 2>/dev/null; POLLER=""

echo "binary: $BIN"
echo "files: ${#FILES[@]} ($(du -ch "${FILES[@]}" | tail -1 | cut -f1) in all), uploads: $(wc -l <"$WORK/codes") in ${ELAPSED}s"
echo "upload status codes: $(cut -d' ' -f1 "$WORK/codes" | sort | uniq -c | tr -s ' ' | tr '\n' ',' | sed 's/,$//')"
echo "by kind of file (count, status, kind):"
sed -E 's/-[0-9]+\.(xlsx|csv)$//; s/\.(xlsx|csv)$//' "$WORK/codes" | sort | uniq -c | sort -k3 | sed 's/^/   /'
echo "health checks: $(wc -l <"$WORK/health"), not 200: $(grep -vc '^200$' "$WORK/health" || true)"
if kill -0 "$SERVER" 2>/dev/null; then
    echo "server alive: yes"
    echo "peak RSS (VmHWM) before the uploads: $BEFORE, after: $(awk '/VmHWM/ {print $2, $3}' "/proc/$SERVER/status")"
else
    echo "server alive: NO"; tail -5 "$WORK/server.log"; exit 1
fi
