"""Code tables printed on the cards: gender (GB/T 2261.1) and ethnicity (GB 3304).

These are card data, so they stay in Chinese as the card states them; the UI may translate around them.
"""

from __future__ import annotations

GENDERS: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

_ETHNICITY_NAMES = ["汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"]  # noqa: SIM905 (one line per row reads like the standard)

# "01" → "汉" … "56" → "基诺", plus 97 and 98.
ETHNICITIES: dict[str, str] = {f"{i:02d}": name for i, name in enumerate(_ETHNICITY_NAMES, start=1)}
ETHNICITIES["97"] = "其他"
ETHNICITIES["98"] = "外国血统中国籍人士"


def gender_name(code: str) -> str:
    """``"1"`` → ``"男"``; an unlisted code is returned as ``"未知(code)"`` so nothing is silently lost."""
    return GENDERS.get(code, f"未知({code})" if code else "")


def normal_ethnicity_code(code: str) -> str:
    """The code as two digits (``"1"`` → ``"01"``); other text is returned stripped."""
    code = code.strip()
    return "0" + code if code.isdigit() and len(code) == 1 else code


def ethnicity_name(code: str) -> str:
    """``"01"`` → ``"汉"``; a one-digit code is padded (``"1"`` → ``"汉"``); empty stays empty. A code outside
    GB 3304 gives ``""``: readers in the field return such codes (穿青人 and others, each vendor its own
    number), so the card's code is kept beside the name and a screen shows it with a neutral label."""
    return ETHNICITIES.get(normal_ethnicity_code(code), "")


def ethnicity_code(name: str) -> str:
    """``"汉"`` → ``"01"`` (also accepts ``"汉族"``); raises KeyError for a name not in GB 3304."""
    bare = name.removesuffix("族") if name not in ETHNICITIES.values() else name
    for code, value in ETHNICITIES.items():
        if value in (name, bare):
            return code
    raise KeyError(f"'{name}' is not an ethnicity of GB 3304")
