"""台账 printouts (SPEC §6.4): rosters, the matters ledger with the dispute summary,
the patrol log (民情日志), the volunteer service ledger and the 志愿服务证明.

The data comes from ``models/report_data.py`` (already masked, already counted);
this module only lays it out.  Wide ledgers print landscape; every table repeats
its header row on each page and never splits a row.

``build_story(data)`` / ``render(data, target)`` accept any of the report_data
dataclasses (``RosterData``, ``SpecialRosterData``, ``MattersLedgerData``,
``PatrolLogData``, ``ServiceLedgerData``, ``CertificateData``, ``MonthLedgers``).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer

from reports.styles import HEADER_BG, RED, getStyleSheet
from reports.templates import (Marked, PageInfo, ReportDoc, cn_date, cn_period, data_table, empty_note, esc,
                               landscape_width, layout_table, num, pct, portrait_width, render_story)


def _title_block(title: str, header, *, width: float, extra: str = "") -> list[Flowable]:
    """Ledger title, then one line: 填报单位 · 范围 · 期间."""
    sheet = getStyleSheet()
    left = f"填报单位：{esc(header.issuer)}"
    middle = f"范围：{esc(header.scope)}"
    right = f"期间：{esc(header.period_label)}"
    if extra:
        right += f"　{esc(extra)}"
    line = layout_table([[Paragraph(left, sheet["Meta"]), Paragraph(middle, sheet["Meta"]),
                          Paragraph(right, sheet["MetaRight"])]],
                        [width * 0.38, width * 0.24, width * 0.38], [("BOTTOMPADDING", (0, 0), (-1, -1), 3)])
    return [Paragraph(esc(title), sheet["LedgerTitle"]), line]


def _sign_line(header, *, width: float) -> Flowable:
    """制表人 / 打印时间 / 负责人（签字） under a ledger."""
    sheet = getStyleSheet()
    cells = [Paragraph(f"制表人：{esc(header.operator)}", sheet["Meta"]),
             Paragraph(f"打印时间：{esc(header.printed_at)}", sheet["Meta"]),
             Paragraph("负责人（签字）：__________", sheet["MetaRight"])]
    return KeepTogether([Spacer(1, 4 * mm),
                         layout_table([cells], [width / 3] * 3)])


def _page_info(header, name: str) -> PageInfo:
    return PageInfo(header_left=f"{header.issuer} · {name}", header_right=header.period_label,
                    footer_left=f"制表：{header.operator}　打印：{header.printed_at}")


def _group_heading(text: str) -> Flowable:
    return Paragraph(esc(text), getStyleSheet()["Heading2"])


# -- resident roster ----------------------------------------------------------------------

ROSTER_TITLE = "居民花名册"


def roster_story(data) -> list[Flowable]:
    width = landscape_width()
    story = _title_block(ROSTER_TITLE, data.header, width=width,
                         extra=f"共 {data.households} 户 {data.residents} 人")
    if data.full_ids:
        story.append(Paragraph("本名册含完整身份证号，属个人信息，请妥善保管，用后销毁。", getStyleSheet()["Note"]))
    if not data.groups:
        story.append(empty_note("该范围内没有在册居民。"))
    header = ["单元", "房号", "姓名", "与户主关系", "性别", "年龄", "身份证号", "联系电话", "人口类型",
              "政治面貌", "特殊人群"]
    for group in data.groups:
        story.append(CondPageBreak(30 * mm))
        story.append(_group_heading(f"{group.grid}　{group.building}（{group.households} 户，{len(group.rows)} 人）"))
        rows = [[r.unit, r.room, r.name, r.relation, r.gender, r.age, r.id_number, r.phone, r.residence_type,
                 r.political_status, r.tags] for r in group.rows]
        story.append(data_table(header, rows, [8, 8, 10, 9, 5, 5, 23, 15, 10, 10, 22], total_width=width,
                                wrap=(2, 10), align=["C", "C", "L", "C", "C", "C", "C", "C", "C", "C", "L"]))
    story.append(_sign_line(data.header, width=width))
    return story


# -- special-group roster -------------------------------------------------------------------

SPECIAL_TITLE = "特殊人群花名册"


def special_story(data) -> list[Flowable]:
    width = landscape_width()
    counts = "，".join(f"{g.tag} {len(g.rows)} 人" for g in data.groups)
    story = _title_block(SPECIAL_TITLE, data.header, width=width, extra=f"共 {data.people} 人")
    story.append(Paragraph(esc(counts), getStyleSheet()["Note"]))
    if any(g.sensitive for g in data.groups):
        story.append(Paragraph("本名册含重点人员信息，仅限授权人员查阅，不得外传。", getStyleSheet()["Note"]))
    header = ["序号", "网格", "住址", "姓名", "性别", "年龄", "身份证号", "联系电话", "其他标签"]
    for group in data.groups:
        story.append(CondPageBreak(30 * mm))
        story.append(_group_heading(f"{group.tag}（{len(group.rows)} 人）"))
        if not group.rows:
            story.append(empty_note("无。"))
            continue
        rows = [[i, r.grid, r.address, r.name, r.gender, r.age, r.id_number, r.phone, r.other_tags]
                for i, r in enumerate(group.rows, 1)]
        story.append(data_table(header, rows, [6, 12, 22, 10, 5, 5, 23, 15, 22], total_width=width,
                                wrap=(1, 2, 3, 8), align=["C", "L", "L", "L", "C", "C", "C", "C", "L"]))
    story.append(_sign_line(data.header, width=width))
    return story


# -- matters ledger + dispute summary ---------------------------------------------------------

MATTERS_TITLE = "矛盾纠纷排查调处台账"
SUMMARY_NOTE = ("注：排查数为本期登记的矛盾纠纷（私事及纠纷、矛盾类事项，不含作废）；调处数为打印时已办结（含已回访）的件数；"
                "调处成功指已办结且回访未评“不满意”；调处率 = 调处数 ÷ 排查数，成功率 = 调处成功 ÷ 调处数。")


def dispute_summary_table(data, *, width: float) -> Flowable:
    header = ["纠纷类型", "排查数", "调处数", "调处成功", "回访不满意", "已上报", "调处中", "调处率", "成功率"]
    rows = [[s.category, s.found, s.handled, s.success, s.unsatisfied, s.escalated, s.open,
             pct(s.handled_rate), pct(s.success_rate)] for s in data.summary]
    t = data.total
    rows.append([t.category, t.found, t.handled, t.success, t.unsatisfied, t.escalated, t.open,
                 pct(t.handled_rate), pct(t.success_rate)])
    last = len(rows) - 1
    return data_table(header, rows, [18, 9, 9, 9, 10, 9, 9, 10, 10], total_width=width,
                      align=["L"] + ["C"] * 8, zebra=False,
                      row_styles={last: [("FONT", (0, last), (-1, last), "Hei"),
                                         ("BACKGROUND", (0, last), (-1, last), HEADER_BG)]})


def matters_story(data) -> list[Flowable]:
    sheet = getStyleSheet()
    width = landscape_width()
    story = _title_block(MATTERS_TITLE, data.header, width=width, extra=f"共 {len(data.rows)} 件")
    story.append(Paragraph("一、矛盾纠纷排查调处情况汇总", sheet["Heading1"]))
    if data.summary:
        story.append(dispute_summary_table(data, width=width * 0.8))
        story.append(Paragraph(esc(SUMMARY_NOTE), sheet["Note"]))
    else:
        story.append(empty_note("本期未排查到矛盾纠纷。"))
    states = "，".join(f"{k} {v} 件" for k, v in sorted(data.by_state.items()))
    if states or data.cancelled:
        line = f"本期登记民情事项 {sum(data.by_state.values())} 件（{states}）"
        if data.cancelled:
            line += f"，另有作废 {data.cancelled} 件未列入"
        story.append(Paragraph(esc(line + "。"), sheet["Note"]))
    story.append(Paragraph("二、民情事项排查登记明细", sheet["Heading1"]))
    if not data.rows:
        story.append(empty_note("本期没有登记民情事项。"))
    else:
        header = ["序号", "编号", "登记时间", "来源", "类别", "分级", "网格", "反映人", "事项描述", "承办人",
                  "办理结果", "状态", "办结时间", "满意度"]
        rows = []
        for i, r in enumerate(data.rows):
            state = Marked(f"{r.state}（逾期）") if r.late else r.state
            rows.append([i + 1, r.number, r.registered_at, r.source, r.category, r.level, r.grid, r.reporter,
                         r.description, r.assignee, r.result, state, r.closed_at, r.satisfaction])
        story.append(data_table(header, rows, [5, 12, 11, 8, 9, 5, 9, 11, 29, 8, 21, 12, 11, 7],
                                total_width=width, wrap=(2, 3, 4, 6, 7, 8, 9, 10, 11, 12),
                                align=["C", "C", "C", "C", "C", "C", "L", "L", "L", "L", "L", "C", "C", "C"],
                                font_size=7.5))
    story.append(_sign_line(data.header, width=width))
    return story


# -- patrol log -------------------------------------------------------------------------------

PATROL_TITLE = "网格员民情日志"


def patrol_story(data) -> list[Flowable]:
    width = landscape_width()
    t = data.totals
    story = _title_block(PATROL_TITLE, data.header, width=width,
                         extra=f"走访 {t.visits} 次，{t.households} 户次")
    if not data.rows:
        story.append(empty_note("本期没有走访记录。"))
    else:
        header = ["日期", "网格", "走访人", "走访次数", "其中入户", "走访户数", "发现问题", "就地解决",
                  "上报处理", "情况摘要"]
        rows = [[r.on_date, r.grid, r.staff, r.visits, r.home_visits, r.households, r.problems, r.solved,
                 r.reported, r.notes] for r in data.rows]
        rows.append(["合计", "", t.staff, t.visits, t.home_visits, t.households, t.problems, t.solved,
                     t.reported, ""])
        last = len(rows) - 1
        story.append(data_table(header, rows, [11, 11, 10, 7, 7, 7, 7, 7, 7, 40], total_width=width,
                                wrap=(1, 2, 9), align=["C", "L", "L", "C", "C", "C", "C", "C", "C", "L"],
                                row_styles={last: [("FONT", (0, last), (-1, last), "Hei"),
                                                   ("BACKGROUND", (0, last), (-1, last), HEADER_BG)]}))
        story.append(Paragraph("注：发现问题为走访中登记的民情事项（不含作废）；就地解决指登记当日即办结；"
                               "其余为上报处理。", getStyleSheet()["Note"]))
    story.append(_sign_line(data.header, width=width))
    return story


# -- volunteer service ledger ----------------------------------------------------------------------

SERVICE_TITLE = "志愿服务活动台账"


def service_story(data) -> list[Flowable]:
    width = landscape_width()
    story = _title_block(SERVICE_TITLE, data.header, width=width,
                         extra=f"活动 {data.activities} 次，志愿者 {data.volunteer_count} 人，"
                               f"服务 {num(data.hours)} 小时")
    if not data.rows:
        story.append(empty_note("本期没有志愿服务活动。"))
    else:
        header = ["序号", "日期", "时间", "活动名称", "类型", "地点", "网格", "组织单位", "志愿者人数",
                  "服务时长(小时)", "服务人数", "参与志愿者（时长）"]
        rows = [[i, r.on_date, r.time, r.title, r.type, r.place, r.grid, r.org, r.volunteers, num(r.hours),
                 r.people_served, r.participants] for i, r in enumerate(data.rows, 1)]
        rows.append(["合计", "", "", f"{data.activities} 次", "", "", "", "", data.volunteer_count,
                     num(data.hours), data.people_served, ""])
        last = len(rows) - 1
        story.append(data_table(header, rows, [5, 10, 9, 16, 9, 13, 8, 12, 7, 8, 7, 36], total_width=width,
                                wrap=(2, 3, 4, 5, 6, 7, 11),
                                align=["C", "C", "C", "L", "C", "L", "C", "L", "C", "C", "C", "L"],
                                font_size=7.5,
                                row_styles={last: [("FONT", (0, last), (-1, last), "Hei"),
                                                   ("BACKGROUND", (0, last), (-1, last), HEADER_BG)]}))
        story.append(Paragraph("注：志愿者人数合计为本期参加过活动的不同志愿者人数。", getStyleSheet()["Note"]))
    story.append(_sign_line(data.header, width=width))
    return story


# -- certificate -------------------------------------------------------------------------------------

CERT_TITLE = "志愿服务证明"
#: activities listed on the certificate page itself; more go to an appendix page
CERT_LIST_LIMIT = 12


def certificate_story(data) -> list[Flowable]:
    sheet = getStyleSheet()
    width = portrait_width()
    story: list[Flowable] = [Spacer(1, 18 * mm), Paragraph(CERT_TITLE, sheet["CertTitle"]),
                             Paragraph(esc(data.number), sheet["MetaRight"]), Spacer(1, 8 * mm)]
    who = f"<b>{esc(data.name)}</b>"
    if data.id_masked:
        who += f"（身份证号：{esc(data.id_masked)}）"
    orgs = f"，系{esc('、'.join(data.orgs))}成员" if data.orgs else ""
    story.append(Paragraph(
        f"兹证明{who}{orgs}，于{esc(cn_period(data.date_from, data.date_to))}期间，"
        f"在{esc(data.issuer.replace('居民委员会', '') or data.issuer)}参加志愿服务活动 "
        f"<b>{data.activity_count}</b> 次，累计服务时长 <b>{num(data.total_hours)}</b> 小时。",
        sheet["CertBody"]))
    story.append(Paragraph("特此证明。", sheet["CertBody"]))
    story.append(Spacer(1, 6 * mm))
    listed = data.activities[:CERT_LIST_LIMIT]
    if listed:
        story.append(Paragraph("服务记录：", sheet["BodyFlush"]))
        rows = [[cn_date(a["on_date"]), a["title"], a.get("org") or "", num(a["hours"])] for a in listed]
        story.append(data_table(["日期", "活动名称", "组织单位", "时长(小时)"], rows, [22, 45, 25, 13],
                                total_width=width, wrap=(1, 2), align=["C", "L", "L", "C"], zebra=False,
                                font_size=9.5))
        if len(data.activities) > CERT_LIST_LIMIT:
            story.append(Paragraph(f"（共 {len(data.activities)} 条记录，其余见附页）", sheet["Note"]))
    story.append(KeepTogether([
        Spacer(1, 14 * mm),
        Paragraph(esc(data.issuer) + "&nbsp;" * 4, sheet["CertSign"]),
        Paragraph("（盖章）" + "&nbsp;" * 12, sheet["CertSign"]),
        Paragraph(esc(cn_date(data.issued_on)) + "&nbsp;" * 4, sheet["CertSign"]),
    ]))
    if len(data.activities) > CERT_LIST_LIMIT:
        story.append(PageBreak())
        story.append(Paragraph(f"附页：{esc(data.name)}志愿服务记录", sheet["LedgerTitle"]))
        rows = [[i, cn_date(a["on_date"]), a["title"], a.get("org") or "", num(a["hours"])]
                for i, a in enumerate(data.activities, 1)]
        rows.append(["合计", "", f"{data.activity_count} 次", "", num(data.total_hours)])
        story.append(data_table(["序号", "日期", "活动名称", "组织单位", "时长(小时)"], rows, [8, 20, 42, 24, 12],
                                total_width=width, wrap=(2, 3), align=["C", "C", "L", "L", "C"]))
    return story


class _CertBorder:
    """Draws the double frame of a certificate page."""

    def __call__(self, canv, doc) -> None:
        w, h = canv._pagesize
        canv.saveState()
        canv.setStrokeColor(RED)
        canv.setLineWidth(2.2)
        canv.rect(12 * mm, 12 * mm, w - 24 * mm, h - 24 * mm)
        canv.setLineWidth(0.6)
        canv.rect(14.5 * mm, 14.5 * mm, w - 29 * mm, h - 29 * mm)
        canv.restoreState()


# -- dispatch ------------------------------------------------------------------------------------

_STORIES = {
    "RosterData": (roster_story, ROSTER_TITLE),
    "SpecialRosterData": (special_story, SPECIAL_TITLE),
    "MattersLedgerData": (matters_story, MATTERS_TITLE),
    "PatrolLogData": (patrol_story, PATROL_TITLE),
    "ServiceLedgerData": (service_story, SERVICE_TITLE),
    "CertificateData": (certificate_story, CERT_TITLE),
}

MONTH_TITLE = "月度工作台账"


def build_story(data: Any) -> list[Flowable]:
    """The flowables of any 台账 printout (see the module docstring for the accepted data)."""
    kind = type(data).__name__
    if kind == "MonthLedgers":
        story: list[Flowable] = []
        parts = [matters_story(data.matters), patrol_story(data.patrol), service_story(data.service)]
        for i, part in enumerate(parts):
            if i:
                story.append(PageBreak())
            story.extend(part)
        return story
    try:
        return _STORIES[kind][0](data)
    except KeyError:
        raise TypeError(f"不支持的台账数据：{kind}") from None


def title_of(data: Any) -> str:
    kind = type(data).__name__
    if kind == "MonthLedgers":
        return MONTH_TITLE
    return _STORIES[kind][1]


def render(data: Any, target, *, progress=None) -> int:
    """Render a 台账 printout to ``target`` (a path or a binary file object)."""
    kind = type(data).__name__
    title = title_of(data)
    if kind == "CertificateData":
        doc = ReportDoc(target, title=f"{title}（{data.name}）", author=data.issuer,
                        page_info=PageInfo(header_on_first_page=False, page_numbers=False), progress=progress)
        for template in doc.pageTemplates:
            template.onPage = _CertBorder()
        doc.build(build_story(data))
        return doc.page
    header = data.matters.header if kind == "MonthLedgers" else data.header
    return render_story(build_story(data), target, title=f"{title}（{header.period_label}）", author=header.issuer,
                        subject=f"{header.scope} {header.period_label}", page_info=_page_info(header, title),
                        start_landscape=True, progress=progress)


__all__ = ["build_story", "render", "title_of", "dispute_summary_table"]
