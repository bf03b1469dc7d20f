"""Attack (load review): a loop of 代办台账 exports paid a flat 20 units for seconds of CPU.

The export, the figures and a slip's PNG run in worker threads, two at a time (kiosk/queue/heavy.py), and
a read of them cost the session a flat amount (the export 20 units). An export of a busy town's year took
8 s of CPU, about 2,700 units' worth at 3 ms a unit: a stolen manager session could keep both slots busy
all the time (every supervisor's 督查 figures 503 ``report_busy``) and two threads competing with the event
loop for the GIL. Now the CPU a heavy call takes is charged to the session's read budget too."""

from __future__ import annotations

from kiosk.queue.api_cases import case_service
from kiosk.queue.case_schemas import CaseIn
from kiosk.queue.reads import ReadBudget
from tests.queue.conftest import auth
from tests.queue.test_attack_reads import Mono


def test_a_loop_of_exports_pays_for_its_cpu(ctx, world, client):
    mgr = world.user("mgr")
    body = CaseIn.model_validate({
        "time_limit_days": 5, "matter_name": "城乡居民养老保险参保登记", "applicant": {"name": "张三", "phone": "13900000000"},
        "authorization": {"signed": True, "scanned": False},
        "materials": [{"name": f"材料{i}", "form": "copy"} for i in range(5)]})
    svc = case_service(ctx)
    for _ in range(300):
        svc.create(mgr, body)
    mono = Mono()
    ctx.reads = ReadBudget(240, clock=mono)
    thief = world.token("mgr")
    codes = [client.get("/api/v1/cases/export.xlsx?masked=true", headers=auth(thief)).status_code for _ in range(8)]
    served = codes.count(200)  # flat: 8 x (20 + its bytes) < 240, all would pass
    assert codes == [200] * served + [429] * (8 - served) and served <= 5, codes
    assert client.get("/api/v1/cases", headers=auth(world.token("mgr"))).status_code == 200  # her other session
