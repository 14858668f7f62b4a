#!/usr/bin/env python3
"""Writes tests/cases/understood_search_cases.tsv from the seed records.

An oracle independent of the engine: ward from the address (or service
area), weekdays from the structured `schedule` or 「X曜」 in schedule_text,
fee from fee_yen, category from the codes. For each query typed as a
coordinator types it (place / day / cost + a category word), the records that
fully fit must be in the top 5 when there are at most 4 of them, and records
of the same category that are known NOT to fit (another ward not served, a
known schedule without that day, a known fee over the limit) must not be in
the top 10. Re-run after changing seed data:  python3 scripts/gen-understood-cases.py
"""
import csv, glob, json, os, random, re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WARDS = ["中央区", "花見川区", "稲毛区", "若葉区", "緑区", "美浜区"]
SHORT = {"稲毛区": "稲毛", "花見川区": "花見川", "若葉区": "若葉", "美浜区": "美浜", "中央区": "中央区", "緑区": "緑区"}
WORD = {"exercise": "体操", "salon": "サロン", "hobby": "趣味", "dementia_cafe": "認知症カフェ",
        "dementia_prevention": "脳トレ", "meal": "会食", "farming": "畑", "learning": "講座",
        "meal_delivery": "配食", "watching": "見守り", "shopping": "買い物", "garbage": "ごみ出し",
        "housework": "家事", "transport": "通院", "conversation": "話し相手", "garden": "草取り",
        "small_help": "電球交換", "digital": "スマホ", "volunteer": "ボランティア"}
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_JA = dict(zip(DAYS, "月火水木金土日"))

recs = []
for f in sorted(glob.glob(os.path.join(ROOT, "seed-data/records/*.jsonl"))):
    for line in open(f, encoding="utf-8"):
        if line.strip():
            recs.append(json.loads(line))

# CSV files with the Japanese headers of docs/import.md: the fields the
# oracle needs, categories kept as their label text (matched by `about`).
CSV_KEYS = {"ID": "id", "名称": "name", "説明": "description", "住所": "address",
            "開催日時": "schedule_text", "分類": "category_text", "状態": "status",
            "公開区分": "visibility", "対応地域": "service_area_text", "費用": "fee_text"}
for f in sorted(glob.glob(os.path.join(ROOT, "seed-data/records/*.csv"))):
    for row in csv.DictReader(open(f, encoding="utf-8-sig")):
        r = {CSV_KEYS[k]: v for k, v in row.items() if k in CSV_KEYS and v}
        r["categories"] = []
        r["service_area"] = [a for a in re.split("[;、,]", r.pop("service_area_text", "")) if a]
        r["status"] = {"休止": "paused", "休止中": "paused", "廃止": "closed"}.get(r.get("status", ""), r.get("status", "active"))
        r["visibility"] = {"内部": "internal"}.get(r.get("visibility", ""), r.get("visibility", "public"))
        recs.append(r)

def ward_of(r):
    for w in WARDS:
        if w in (r.get("address") or ""):
            return w
    return None

def serves(r, w):
    if ward_of(r) == w:
        return True
    for a in r.get("service_area") or []:
        a = a.replace("千葉市", "") or "千葉市"
        if a == "千葉市" or a.startswith(w):
            return True
    return False

def days_of(r):
    if r.get("schedule"):
        return {d for s in r["schedule"] for d in s.get("weekdays", [])}
    t = r.get("schedule_text") or ""
    if any(w in t for w in ["相談", "随時", "不定期", "除く", "以外", "希望"]):
        return None  # unknown to this oracle: in neither set
    found = {d for d in DAYS if DAY_JA[d] + "曜" in t}
    if "毎日" in t:
        found |= set(DAYS)
    if "平日" in t:
        found |= set(DAYS[:5])
    if "土日" in t or "週末" in t:
        found |= {"sat", "sun"}
    return found or None

by_id = {r["id"]: r for r in recs}
live = [r for r in recs if r.get("status", "active") == "active" and r.get("visibility", "public") == "public"]
rows = []
def named(rid, word):
    r = by_id[rid]
    return word in (r.get("name") or "") + (r.get("description") or "")

def add(query, good, bad, note, word):
    # Positives say the word itself; a record only of the category may
    # rightly rank below records that say it.
    if any(not named(g, word) for g in good):
        return
    good = sorted(good)
    if not good or len(good) > 6:
        return
    bad = sorted(set(bad) - set(good))[:4]
    rows.append((query, ",".join(good[:4]), ",".join(bad) or "-", note))

def about(r, code, word):
    """The record is about the word: its category, or the word in its text."""
    text = (r.get("name") or "") + (r.get("description") or "") + (r.get("category_text") or "")
    return code in r["categories"] or word in text

for code, word in WORD.items():
    # Records whose ward the oracle cannot read (no address) are left out.
    cat = [r for r in live if about(r, code, word) and (ward_of(r) or r.get("service_area"))]
    for w in WARDS:
        good = [r["id"] for r in cat if serves(r, w)]
        bad = [r["id"] for r in cat if not serves(r, w)]
        for form in sorted({SHORT[w], w}):
            add(f"{form} {word}", good, bad, f"place: {w} + {code}", word)
            add(f"{word} {form}", good, bad, f"place: {w} + {code}", word)
    for d in DAYS:
        known = [r for r in cat if days_of(r) is not None]
        good = [r["id"] for r in known if d in days_of(r)]
        bad = [r["id"] for r in known if d not in days_of(r)]
        add(f"{DAY_JA[d]}曜 {word}", good, bad, f"time: {d} + {code}", word)
        add(f"{DAY_JA[d]}曜日の{word}", good, bad, f"time: {d} + {code}", word)
        add(f"{word} （{DAY_JA[d]}）", good, bad, f"time: {d} + {code}", word)
    for limit, text in [(0, "無料"), (0, "お金のかからない"), (100, "100円まで"), (200, "200円以下"), (300, "300円以内"), (500, "500円まで")]:
        priced = [r for r in cat if "fee_yen" in r]
        good = [r["id"] for r in priced if r["fee_yen"] <= limit]
        bad = [r["id"] for r in priced if r["fee_yen"] > limit]
        add(f"{text} {word}", good, bad, f"cost: <= {limit} + {code}", word)
    for w in WARDS:
        for d in DAYS:
            known = [r for r in cat if days_of(r) is not None]
            good = [r["id"] for r in known if d in days_of(r) and serves(r, w)]
            bad = [r["id"] for r in known if not (d in days_of(r) and serves(r, w))]
            add(f"{SHORT[w]} {DAY_JA[d]}曜日の{word}", good, bad, f"place+time: {w} {d} + {code}", word)

random.seed(12)
combos = [r for r in rows if r[3].startswith("place+time")]
rows = [r for r in rows if not r[3].startswith("place+time")] + random.sample(combos, min(60, len(combos)))
out = os.path.join(ROOT, "tests/cases/understood_search_cases.tsv")
with open(out, "w", encoding="utf-8") as f:
    f.write("# Generated by scripts/gen-understood-cases.py from seed-data (an oracle that does not use the engine).\n")
    f.write("query\texpect_top5\tnot_top10\tnote\n")
    for r in rows:
        f.write("\t".join(r) + "\n")
print(len(rows), "cases")
