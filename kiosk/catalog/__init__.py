"""The catalogue of matters (政务服务事项): loading, validation, search and the completeness check.

A catalogue is one TOML file (see ``kiosk/config/catalogs/zengdu_sample.toml``)::

    [catalog]
    name = "曾都区政务服务事项（示例）"
    sample = true

    [[matter]]
    id = "pension-enrol"
    name = "城乡居民养老保险参保登记"
    department = "区人社局"
    levels = ["district", "town", "village"]
    time_limit = "即办"            # or a number of working days, e.g. 20
    window = "区政务服务中心 一楼 社保综合窗口"
      [[matter.materials]]
      id = "idcard"
      name = "居民身份证"
      form = "original"            # original | copy | original_and_copy
      copies = 1
      source = "本人携带；遗失的到户籍所在地派出所补领"
      capturable = true

:func:`load_catalog` returns a validated :class:`Catalog` or raises :class:`CatalogError` whose
``problems`` are lines ``path: what is wrong, what is expected`` (like the kiosk config's errors).
:meth:`Catalog.search` finds matters by Chinese substring, full pinyin, pinyin initials or a mix
(``ylbx``, ``yanglao``, ``ylbaoxian`` all find 养老保险). :func:`check_completeness` turns each
material's status into a :class:`Completeness`. :func:`add_working_days` counts working days with
Chinese public holidays and 调休 (and ``kiosk/config/holidays.toml`` for years chinese-calendar lacks).

Modules: :mod:`.model` (schema, :class:`Catalog`, loading and its errors), :mod:`.search` (the pinyin
index), :mod:`.completeness`, :mod:`.workdays`; ``python -m kiosk.catalog FILE`` checks a catalogue.
Import from ``kiosk.catalog``.
"""

from kiosk.catalog.completeness import Completeness, MaterialStatus, check_completeness
from kiosk.catalog.model import (
    IMMEDIATE,
    Catalog,
    CatalogError,
    CatalogInfo,
    Joint,
    Level,
    Material,
    Matter,
    load_catalog,
    parse_catalog,
)
from kiosk.catalog.workdays import Holidays, add_working_days, is_workday, load_holidays

__all__ = [
    "IMMEDIATE", "Catalog", "CatalogError", "CatalogInfo", "Completeness", "Holidays", "Joint", "Level",
    "Material", "MaterialStatus", "Matter", "add_working_days", "check_completeness", "is_workday",
    "load_catalog", "load_holidays", "parse_catalog",
]
