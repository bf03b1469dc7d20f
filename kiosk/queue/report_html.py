"""The 督查 report as one printable HTML page (A4) with its charts drawn as inline SVG.

Contract: :func:`render` turns :func:`kiosk.queue.report_data.build`'s answer into a self-contained page
(no script, no external file: it prints and mails as it is, and passes the console's CSP). Every text that
came from users or the database is HTML-escaped. Charts: requests per day (a month) or per site (a day),
response times per site (p50 and p90), 代办 cases per site (on time / late / overdue / open), and the share
of 不满意 ratings per site when there are ratings. Tables repeat the numbers, so nothing is only a picture.
"""

from __future__ import annotations

from html import escape

from kiosk.queue.case_states import CHINA
from kiosk.queue.rating_codes import REASONS

COLOURS = {"blue": "#0b5cad", "light": "#8fb8e6", "ok": "#2e7d32", "late": "#f9a825", "over": "#c62828",
           "open": "#90a4ae"}
CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; color: #1b1f24; margin: 0; font-size: 11pt; }
h1 { font-size: 18pt; margin: 0 0 2pt; } h2 { font-size: 13pt; margin: 14pt 0 4pt; border-bottom: 2px solid #0b5cad; }
.sub { color: #555; margin-bottom: 8pt; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 6pt; }
.tile { border: 1px solid #cfd8e3; border-radius: 6px; padding: 6pt 8pt; break-inside: avoid; }
.tile b { display: block; font-size: 16pt; color: #0b5cad; } .tile.bad b { color: #c62828; }
.tile span { color: #555; font-size: 9pt; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin-top: 4pt; }
th, td { border: 1px solid #cfd8e3; padding: 2pt 3pt; text-align: right; } th { background: #eef3f9; white-space: nowrap; }
@media print { table { font-size: 8pt; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
svg.chart { max-width: 100%; height: auto; }
td:first-child, th:first-child { text-align: left; }
.chart { break-inside: avoid; margin: 4pt 0; } .legend { font-size: 9pt; color: #555; }
.legend i { display: inline-block; width: 9pt; height: 9pt; margin: 0 3pt 0 8pt; vertical-align: -1pt; }
code { font-size: 8.5pt; word-break: break-all; } .muted { color: #777; }
"""


def _dur(s: float | None) -> str:
    if s is None:
        return "—"
    return f"{round(s)} 秒" if s < 90 else f"{s / 60:.1f} 分钟"


def _hours(s: int) -> str:
    return f"{s / 3600:.1f} 小时"


def bars(items: list[tuple[str, list[tuple[float, str]]]], *, unit=lambda v: str(round(v)), width=680,
         row=22, label_w=150) -> str:
    """A horizontal bar chart: one row per ``(label, [(value, colour), …])``, the values of a row stacked."""
    top = max((sum(v for v, _ in parts) for _, parts in items), default=0) or 1
    scale = (width - label_w - 60) / top
    height = row * len(items) + 6
    out = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'xmlns="http://www.w3.org/2000/svg" font-size="11">']
    for i, (label, parts) in enumerate(items):
        y, x = i * row + 3, label_w
        out.append(f'<text x="{label_w - 6}" y="{y + row * 0.65:.0f}" text-anchor="end">{escape(label[:14])}</text>')
        for value, colour in parts:
            w = value * scale
            if w > 0:
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 6}" fill="{colour}"/>')
            x += w
        total = sum(v for v, _ in parts)
        out.append(f'<text x="{x + 4:.1f}" y="{y + row * 0.65:.0f}">{escape(unit(total))}</text>')
    return "".join(out) + "</svg>"


def columns(values: list[tuple[str, float]], *, width=680, height=150) -> str:
    """A vertical bar chart (requests per day): labels under every few bars."""
    n = max(len(values), 1)
    top = max((v for _, v in values), default=0) or 1
    step = (width - 30) / n
    out = [f'<svg class="chart" width="{width}" height="{height + 30}" viewBox="0 0 {width} {height + 30}" '
           f'xmlns="http://www.w3.org/2000/svg" font-size="10">']
    for i, (label, v) in enumerate(values):
        h = v / top * height
        x = 30 + i * step
        out.append(f'<rect x="{x + 1:.1f}" y="{height - h + 5:.1f}" width="{max(step - 2, 1):.1f}" height="{h:.1f}" '
                   f'fill="{COLOURS["blue"]}"><title>{escape(label)}: {round(v)}</title></rect>')
        if n <= 12 or i % 5 == 0:
            out.append(f'<text x="{x + step / 2:.1f}" y="{height + 20}" text-anchor="middle">{escape(label)}</text>')
    out.append(f'<text x="0" y="12">{round(top)}</text><line x1="28" x2="{width}" y1="{height + 5}" y2="{height + 5}" stroke="#999"/>')
    return "".join(out) + "</svg>"


def _running(c: dict) -> int:
    """Cases still running and not overdue (on track, due soon, suspended): what the other segments leave."""
    return max(c["total"] - c["on_time"] - c["late"] - c["overdue"] - c["closed"], 0)


def _legend(*pairs: tuple[str, str]) -> str:
    return '<div class="legend">' + "".join(f'<i style="background:{c}"></i>{escape(t)}' for t, c in pairs) + "</div>"


def _tile(value: str, label: str, bad: bool = False) -> str:
    return f'<div class="tile{" bad" if bad else ""}"><b>{escape(value)}</b><span>{escape(label)}</span></div>'


def _ratings(b: dict) -> str:
    r = b.get("ratings")
    if not r or not r.get("n"):
        return "—"
    return f"{r['n']} 条，不满意 {r['unsatisfied_share'] * 100:.0f}%"


def render(data: dict) -> str:
    f, period, site = data["figures"], data["period"], data["site"]
    t, c = f["total"], f["total"]["cases"]
    kind = "日报" if period.kind == "day" else "月报"
    down = data["downtime"]
    down_total = sum(k["down_s"] for k in down["kiosks"])
    tiles = [_tile(str(t["requests"]), f"求助呼叫（认领 {t['claimed']}，超时上报 {t['escalated']}）"),
             _tile(_dur(t["response"]["p50_s"]), f"响应中位数（90% 分位 {_dur(t['response']['p90_s'])}）"),
             _tile(_dur(t["completion"]["p50_s"]), f"办结中位数（90% 分位 {_dur(t['completion']['p90_s'])}）"),
             _tile(str(c["total"]), f"代办件（按时 {c['on_time']}，超时 {c['late']}）"),
             _tile(str(c["overdue"]), "代办逾期未办结", bad=c["overdue"] > 0),
             _tile(str(t["notices"]["printed"]), f"一次性告知单（缺 {t['notices']['missing_items']} 项材料）"),
             _tile(_ratings(t), "好差评"),
             _tile(_hours(down_total), f"终端离线合计（{len(down['kiosks'])} 台）", bad=down_total > 0)]
    parts = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{escape(site['name'])} "
             f"帮办代办督查{kind} {escape(period.label)}</title><style>{CSS}</style></head><body>",
             f"<h1>{escape(site['name'])} 帮办代办督查{kind}</h1>",
             f"<div class='sub'>{escape(period.label)}（{period.since:%Y-%m-%d} 至 {period.until:%Y-%m-%d}）· "
             f"有记录的站点 {len(f['sites'])} 个 · 生成于 {data['generated_at'].astimezone(CHINA):%Y-%m-%d %H:%M}</div>",
             f"<div class='tiles'>{''.join(tiles)}</div>"]
    if period.kind == "month":
        parts += ["<h2>每日求助呼叫</h2>", columns([(f"{d['day']:%d}", d["requests"]) for d in data["daily"]])]
    else:
        parts += ["<h2>各站点求助呼叫</h2>", bars([(s["site_name"], [(s["requests"], COLOURS["blue"])]) for s in f["sites"]])]
    parts += ["<h2>响应时间（中位数 / 90% 分位）</h2>",
              bars([(s["site_name"], [(s["response"]["p50_s"] or 0, COLOURS["blue"]),
                                      (max((s["response"]["p90_s"] or 0) - (s["response"]["p50_s"] or 0), 0),
                                       COLOURS["light"])]) for s in f["sites"]], unit=_dur),
              _legend(("中位数", COLOURS["blue"]), ("至 90% 分位", COLOURS["light"])),
              "<h2>代办办结情况</h2>",
              bars([(s["site_name"], [(s["cases"]["on_time"], COLOURS["ok"]), (s["cases"]["late"], COLOURS["late"]),
                                      (s["cases"]["overdue"], COLOURS["over"]),
                                      (_running(s["cases"]), COLOURS["open"])])
                    for s in f["sites"]]),
              _legend(("按时办结", COLOURS["ok"]), ("超时办结", COLOURS["late"]), ("逾期未办结", COLOURS["over"]),
                      ("办理中", COLOURS["open"]))]
    rated = [s for s in f["sites"] if (s.get("ratings") or {}).get("n")]
    if rated:
        reasons = sorted(t["ratings"]["reasons"].items(), key=lambda kv: -kv[1])
        parts += ["<h2>不满意占比（好差评）</h2>",
                  bars([(s["site_name"], [(s["ratings"]["unsatisfied_share"] * 100, COLOURS["over"])]) for s in rated],
                       unit=lambda v: f"{v:.0f}%")]
        if reasons:
            parts += ["<h2>不满意原因</h2>", bars([(REASONS.get(k, k), [(n, COLOURS["late"])]) for k, n in reasons])]
    parts.append(_tables(f, down, data["anchors"]))
    return "".join(parts) + "</body></html>"


def _row(cells: list) -> str:
    return "<tr>" + "".join(f"<td>{escape(str(x))}</td>" for x in cells) + "</tr>"


HEAD = ["", "呼叫", "认领", "解决", "转代办", "响应中位", "响应P90", "办结中位", "代办", "按时", "超时", "逾期", "告知单",
        "好差评"]


def _line(name: str, b: dict) -> list:
    n = b["notices"]["printed"] if b.get("notices") else "—"
    return [name, b["requests"], b["claimed"], b["resolved"], b["converted"], _dur(b["response"]["p50_s"]),
            _dur(b["response"]["p90_s"]), _dur(b["completion"]["p50_s"]), b["cases"]["total"], b["cases"]["on_time"],
            b["cases"]["late"], b["cases"]["overdue"], n, _ratings(b)]


def _tables(f: dict, down: dict, anchors: list[dict]) -> str:
    head = "<tr>" + "".join(f"<th>{h}</th>" for h in HEAD) + "</tr>"
    out = ["<h2>各站点</h2><table>", head, _row(_line("合计", f["total"]))]
    out += [_row(_line(f"{s['site_name']}（{s['site_code']}）", s)) for s in f["sites"]]
    out += ["</table><h2>各帮办员</h2><table>", head]
    out += [_row(_line(u["display_name"] or u["username"] or "?", u)) for u in f["helpers"]]
    out.append("</table><h2>终端离线</h2>")
    if down["covered_since"] is None:
        out.append("<p class='muted'>本期没有保留的心跳记录，无法统计终端离线时长。</p>")
    else:
        out.append(f"<p class='muted'>按保留的心跳记录统计（{down['covered_since'].astimezone(CHINA):%Y-%m-%d %H:%M} 起）；"
                   "连续 3 个心跳周期未上报即计为离线。</p><table><tr><th>终端</th><th>站点</th><th>位置</th>"
                   "<th>离线</th><th>统计时长</th></tr>")
        out += [_row([k["kiosk_id"], k["site_code"], k["location"], _hours(k["down_s"]), _hours(k["watched_s"])])
                for k in down["kiosks"]]
        out.append("</table>")
    out.append("<h2>台账锚点</h2>")
    if anchors:
        out.append("<p class='muted'>各站点当日最后一条台账记录的哈希，可用 "
                   "<code>kiosk queue verify-ledger --site 站点 --anchor '#序号:哈希'</code> 核验此后台账未被改写。</p>"
                   "<table><tr><th>站点</th><th>日期</th><th>序号</th><th>哈希</th></tr>")
        out += [f"<tr><td>{escape(a['site_name'])}（{escape(a['site_code'])}）</td><td>{a['day']:%Y-%m-%d}</td>"
                f"<td>#{a['seq']}</td><td><code>{a['hash']}</code></td></tr>" for a in anchors]
        out.append("</table>")
    else:
        out.append("<p class='muted'>本期尚未结束或没有台账记录，暂无锚点。</p>")
    return "".join(out)
