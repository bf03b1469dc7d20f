"""The catalogue: validation with clear errors, the shipped sample, search, levels, completeness."""

import subprocess
import sys
import tomllib
from datetime import date

import pytest

from kiosk.catalog import (
    CatalogError,
    MaterialStatus,
    add_working_days,
    check_completeness,
    load_catalog,
    parse_catalog,
)
from kiosk.config.settings import DEFAULT_CATALOG


@pytest.fixture(scope="module")
def sample():
    return load_catalog(DEFAULT_CATALOG)


def _matter(**over):
    m = {"id": "m1", "name": "测试事项", "department": "区测试局", "levels": ["district"], "time_limit": 5,
         "window": "一号窗口", "materials": [{"id": "a", "name": "居民身份证", "source": "本人携带"}]}
    m.update(over)
    return m


def test_sample_is_marked_and_big_enough(sample):
    assert sample.info.sample is True and "示例" in sample.info.name
    assert len(sample) >= 15
    assert len(sample.departments()) >= 6
    text = DEFAULT_CATALOG.read_text(encoding="utf-8")
    assert "SAMPLE" in text and "替换" in text
    joint = [m for m in sample.matters if m.joint]
    assert {m.id for m in joint} >= {"business-startup", "construction-permit"}
    assert all(m.joint.lead in m.joint.departments for m in joint)
    assert any(m.proxy_recommended for m in sample.matters)
    assert any(m.immediate for m in sample.matters) and any(isinstance(m.time_limit, int) for m in sample.matters)
    for m in sample.matters:  # every material says where to get it
        assert all(len(mat.source) >= 4 for mat in m.materials), m.id


def test_every_problem_is_reported_with_its_path():
    data = {"catalog": {"name": "x"}, "matter": [
        _matter(),
        _matter(id="Bad Id", levels=["city"], time_limit=0, colour="red",
                materials=[{"id": "a", "nme": "x", "source": "y"}]),
    ]}
    with pytest.raises(CatalogError) as info:
        parse_catalog(data, "cat.toml")
    problems = info.value.problems
    assert problems[0] == ("matter[1](Bad Id).id: 'Bad Id' is not a usable id; use lower-case letters, digits, "
                           "- and _ (e.g. pension-enrol)")
    joined = "\n".join(problems)
    assert "matter[1](Bad Id).levels[0]: Input should be 'district', 'town' or 'village' (got 'city')" in joined
    assert 'matter[1](Bad Id).time_limit: 0 working days is out of range; expected 1..365 or "即办"' in joined
    assert "matter[1](Bad Id).colour: unknown key" in joined
    assert "matter[1](Bad Id).materials[0](a).name: is missing" in joined
    assert "matter[1](Bad Id).materials[0](a).nme: unknown key" in joined
    assert str(info.value).startswith("cat.toml: ")


@pytest.mark.parametrize("over, needle", [
    ({"time_limit": "三天"}, "time_limit"),
    ({"joint": {"departments": ["甲局", "乙局"], "lead": "丙局"}}, "lead '丙局' is not one of departments"),
    ({"materials": [{"id": "a", "name": "甲", "source": "某处"}, {"id": "a", "name": "乙", "source": "某处"}]},
     "material id 'a' appears twice"),
    ({"levels": ["town", "town"]}, "lists a level twice"),
    ({"materials": [{"id": "a", "name": "甲", "source": "某处", "form": "scan"}]}, "form"),
])
def test_bad_matters(over, needle):
    with pytest.raises(CatalogError) as info:
        parse_catalog({"catalog": {"name": "x"}, "matter": [_matter(**over)]})
    assert needle in str(info.value)


def test_duplicate_matter_ids_and_file_errors(tmp_path):
    with pytest.raises(CatalogError, match="matter id 'm1' appears twice"):
        parse_catalog({"catalog": {"name": "x"}, "matter": [_matter(), _matter()]})
    with pytest.raises(CatalogError, match="does not exist"):
        load_catalog(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[catalog\nname=", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid TOML"):
        load_catalog(bad)


def _names(catalog, query):
    return [m.name for m in catalog.search(query)]


@pytest.mark.parametrize("query", ["ylbx", "YLBX", "yanglao", "yang lao bao xian", "ylbaox", "养老", "养老保险"])
def test_search_finds_pension_by_chinese_initials_and_full_pinyin(sample, query):
    names = _names(sample, query)
    assert names and "养老保险" in names[0]
    assert "城乡居民基本养老保险待遇申领" in names


@pytest.mark.parametrize("query, expected", [
    ("sbk", "社会保障卡申领"),  # keyword 社保卡
    ("shebaoka", "社会保障卡申领"),
    ("dibao", "最低生活保障申请"),
    ("gth", "个体工商户设立登记"),
    ("sfz", "居民身份证换领、补领"),
    ("身份证", "居民身份证换领、补领"),
    ("cjrz", "残疾人证新办"),
    ("医保", "城乡居民基本医疗保险参保登记"),
    ("异地", "异地就医备案"),
])
def test_search_first_hit(sample, query, expected):
    assert _names(sample, query)[0] == expected


def test_search_misses_and_limits(sample):
    assert sample.search("") == [] and sample.search("   ") == []
    assert sample.search("qqqzzz") == []
    assert sample.search("火星移民") == []
    assert len(sample.search("d", limit=3)) == 3


def test_heteronyms_are_searchable():
    cat = parse_catalog({"catalog": {"name": "x"}, "matter": [_matter(name="银行账户变更")]})
    assert [m.id for m in cat.search("yhzh")] == ["m1"]
    assert [m.id for m in cat.search("yxzh")] == ["m1"]  # 行 read as xing is typed too


def test_browse_and_levels(sample):
    depts = sample.departments()
    assert len(depts) == len(set(depts))
    assert all(m.department == depts[0] for m in sample.by_department(depts[0]))
    village = sample.for_level("village")
    assert 0 < len(village) < len(sample)
    assert all("village" in m.levels for m in village.matters)
    assert "business-startup" not in {m.id for m in village.matters}
    with pytest.raises(KeyError, match="no matter 'nope'"):
        sample.get("nope")


def test_completeness(sample):
    matter = sample.get("dibao")
    required = [m.id for m in matter.required]
    optional = [m.id for m in matter.materials if m.optional]
    assert optional, "dibao has an optional material in the sample"
    allset = {mid: MaterialStatus.PAPER for mid in required}
    allset[required[0]] = MaterialStatus.CAPTURED
    result = check_completeness(matter, allset)
    assert result.complete and result.missing == ()
    partial = dict(allset, **{required[1]: MaterialStatus.MISSING})
    del partial[required[2]]  # not answered counts as missing
    result = check_completeness(matter, partial)
    assert not result.complete
    assert [m.id for m in result.missing] == [required[1], required[2]]  # every one, in checklist order
    assert all(m.source for m in result.missing)
    assert check_completeness(matter, {**allset, **{o: "missing" for o in optional}}).complete
    with pytest.raises(KeyError, match="no material 'ghost'"):
        check_completeness(matter, {"ghost": MaterialStatus.PAPER})


def test_working_days_skip_weekends_and_holidays():
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday → Monday
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)  # over the National Day holiday
    assert add_working_days(date(2030, 1, 4), 1) == date(2030, 1, 7)  # past the library's data: Mon–Fri


def test_check_from_the_command_line(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "kiosk.catalog", str(DEFAULT_CATALOG)], capture_output=True,
                        text=True, timeout=60)
    assert ok.returncode == 0 and ok.stdout.startswith("ok: ") and "SAMPLE" in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('[catalog]\nname = "x"\n[[matter]]\nid = "a"\n', encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "kiosk.catalog", str(bad)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 1 and "matter[0](a).window: is missing" in out.stderr


def test_sample_roundtrips_through_tomllib():
    with DEFAULT_CATALOG.open("rb") as fh:
        assert parse_catalog(tomllib.load(fh)).info.region.startswith("湖北省随州市")


def test_search_index_built_by_a_child_process_matches_and_keeps_pypinyin_out():
    """The kiosk builds its index with the readings computed in a child process: same answers, and
    pypinyin's ~55 MB of dictionaries never load into the kiosk."""
    import subprocess
    import sys

    code = """
import json, sys
from kiosk.catalog import load_catalog
from kiosk.config.settings import DEFAULT_CATALOG
c = load_catalog(DEFAULT_CATALOG)
c.prepare_search()
queries = ["ylbx", "yanglao", "sbk", "shebaoka", "yl", "hk", "养老", "canji", "zz"]
print(json.dumps({"loaded": "pypinyin" in sys.modules,
                  "found": {q: [m.id for m in c.search(q)] for q in queries}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    child = __import__("json").loads(out.stdout)
    assert child["loaded"] is False
    from kiosk.catalog import load_catalog
    from kiosk.config.settings import DEFAULT_CATALOG

    here = load_catalog(DEFAULT_CATALOG)  # built in this process, the reference
    assert child["found"] == {q: [m.id for m in here.search(q)] for q in child["found"]}
    assert child["found"]["ylbx"][0] == "pension-enrol"
