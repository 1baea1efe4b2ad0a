"""议事进程: 四议两公开 and the 六步工作法 as a rule table; stages in order with date, participants and
outcome; the current stage in lists; the two publications with their dates."""

from __future__ import annotations

import pytest

from models.core.errors import ValidationError
from models.meetings import records as MT


@pytest.fixture
def hall(ledger):
    return MT.add_meeting(ledger, {"kind": "红色议事厅", "held_at": "2026-10-10 19:00", "topic": "加装电梯"})


def test_the_methods_table():
    assert MT.METHODS == {
        "四议两公开": ("党组织提议", "两委会商议", "党员大会审议", "居民代表会议决议", "决议公开", "实施结果公开"),
        "六步工作法": ("民事民提", "民事民议", "民事民决", "民事民筹", "民事民办", "民事民评")}
    assert MT.DEFAULT_METHOD == {"联席会议": "四议两公开", "红色议事厅": "六步工作法"}


def test_a_council_hall_walks_the_six_steps(ledger, hall):
    meeting = MT.get_meeting(ledger, hall)
    assert meeting["method"] == "六步工作法" and [s["stage"] for s in meeting["stages"]] == list(MT.SIX_STEPS)
    MT.record_stage(ledger, hall, "民事民提", "2026-10-02", participants="3号楼居民12户", outcome="提出加装电梯")
    MT.record_stage(ledger, hall, "民事民议", "2026-10-10", participants="居民代表、物业", outcome="议定出资方案")
    listed = MT.list_meetings(ledger)[0]
    assert (listed["stage"], MT.stage_text(listed)) == ("民事民议", "六步工作法 2/6 民事民议")
    # correcting an earlier stage keeps the current one
    MT.record_stage(ledger, hall, "民事民提", "2026-10-01", participants="3号楼居民12户", outcome="提出加装电梯")
    stages = MT.get_meeting(ledger, hall)["stages"]
    assert [(s["stage"], s["on_date"]) for s in stages[:3]] == [("民事民提", "2026-10-01"), ("民事民议", "2026-10-10"),
                                                                  ("民事民决", None)]
    assert MT.get_meeting(ledger, hall)["stage"] == "民事民议"
    MT.remove_last_stage(ledger, hall)
    assert MT.get_meeting(ledger, hall)["stage"] == "民事民提"


#: (stage, date, outcome, message) refused after 民事民提 (10-02) and 民事民议 (10-10) are recorded
REFUSALS = [
    ("民事民筹", "2026-10-12", "筹资", "请先记录上一阶段“民事民决”"),
    ("民事民决", "2026-10-09", "表决", "不能早于上一阶段“民事民议”（2026-10-10）"),
    ("民事民提", "2026-10-11", "提出", "不能晚于下一阶段“民事民议”（2026-10-10）"),
    ("民事民决", "2026-10-16", "表决", "不能晚于今天"),
    ("民事民决", "2026-10-12", " ", "请填写该阶段的结果"),
    ("决议公开", "2026-10-12", "公示", "六步工作法的阶段是"),
]


@pytest.mark.parametrize("stage, day, outcome, message", REFUSALS)
def test_refusals(ledger, hall, stage, day, outcome, message):
    MT.record_stage(ledger, hall, "民事民提", "2026-10-02", outcome="提出")
    MT.record_stage(ledger, hall, "民事民议", "2026-10-10", outcome="议定")
    with pytest.raises(ValidationError, match=message):
        MT.record_stage(ledger, hall, stage, day, outcome=outcome)
    assert MT.get_meeting(ledger, hall)["stage"] == "民事民议"


def test_the_two_publications_are_recorded_with_dates(ledger):
    joint = MT.add_meeting(ledger, {"kind": "联席会议", "held_at": "2026-10-08 14:00", "topic": "停车改造"})
    for stage, day in zip(MT.STAGES[:4], ("2026-10-01", "2026-10-03", "2026-10-05", "2026-10-08")):
        MT.record_stage(ledger, joint, stage, day, outcome="通过")
    with pytest.raises(ValidationError, match="请填写公开的内容和方式"):
        MT.record_stage(ledger, joint, "决议公开", "2026-10-09", outcome="")
    MT.record_stage(ledger, joint, "决议公开", "2026-10-09", outcome="公示栏张贴7天")
    MT.record_stage(ledger, joint, "实施结果公开", "2026-10-15", outcome="微信群公布结果")
    meeting = MT.get_meeting(ledger, joint)
    assert [(s["stage"], s["on_date"]) for s in meeting["stages"][4:]] == [("决议公开", "2026-10-09"),
                                                                            ("实施结果公开", "2026-10-15")]
    assert MT.stage_text(meeting) == "四议两公开 6/6 实施结果公开"
    with pytest.raises(ValidationError, match="不能改为六步工作法"):
        MT.update_meeting(ledger, joint, {"method": "六步工作法", "stage": ""})


def test_a_stage_alone_names_its_method_and_deleting_a_meeting_takes_its_stages(ledger, hall):
    old_style = MT.add_meeting(ledger, {"kind": "红色议事厅", "held_at": "2026-10-10", "topic": "楼道",
                                        "stage": "党组织提议"})
    assert MT.get_meeting(ledger, old_style)["method"] == "四议两公开"
    MT.record_stage(ledger, hall, "民事民提", "2026-10-02", outcome="提出")
    MT.delete_meeting(ledger, hall)
    assert ledger.scalar("SELECT COUNT(*) FROM meeting_stages") == 0


def test_a_meeting_recorded_before_stages_goes_on_from_where_it_got(ledger):
    published = MT.add_meeting(ledger, {"kind": "联席会议", "held_at": "2026-10-08", "topic": "停车",
                                        "stage": "决议公开"})
    MT.record_stage(ledger, published, "实施结果公开", "2026-10-12", outcome="公示栏公布实施结果")
    assert MT.get_meeting(ledger, published)["stage"] == "实施结果公开"
    reviewed = MT.add_meeting(ledger, {"kind": "联席会议", "held_at": "2026-10-08", "topic": "绿化",
                                       "stage": "党员大会审议"})
    with pytest.raises(ValidationError, match="请先记录上一阶段“居民代表会议决议”"):
        MT.record_stage(ledger, reviewed, "决议公开", "2026-10-12", outcome="公布")
    MT.record_stage(ledger, reviewed, "居民代表会议决议", "2026-10-10", outcome="通过")
    assert MT.get_meeting(ledger, reviewed)["stage"] == "居民代表会议决议"
