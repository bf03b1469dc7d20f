"""The 好差评 scale and reasons, shared by the kiosk (``HelpQueueClient.rate``) and the server
(:mod:`kiosk.queue.ratings`); no imports, so the kiosk loads nothing of the server to rate."""

SCORES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
REASONS = {"wait_long": "等待时间长", "attitude": "服务态度不好", "unclear": "讲解不清楚",
           "not_solved": "问题没有解决", "many_trips": "来回跑了多次", "other": "其他"}
UNSATISFIED = 2  # a score at or below this is 不满意
