/* Being heard and staying awake: the new-call alert (WebAudio tone + vibration) that repeats until someone
   claims, the helper's sound settings (on/off, volume, tone; kept on this phone), and a screen wake lock while
   on duty. Browsers allow sound only after a tap on the page: after a reload the sound is off until then, and
   the page says so (KQ.Alerts.ready()). Exposes window.KQ.Alerts. */
"use strict";
(function () {
  const KEY = "kq_sound";
  const TONES = { bell: [880, 1175], chime: [660, 880, 1320], alarm: [988, 784, 988, 784] };
  const saved = (() => { try { return JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; } })();
  const prefs = { on: saved.on !== false, volume: Number.isFinite(saved.volume) ? saved.volume : 0.8,
    tone: TONES[saved.tone] ? saved.tone : "bell", repeat_s: saved.repeat_s || 20 };

  const Alerts = {
    ctx: null, prefs, TONES, repeatTimer: null, wake: null, wanted: false,
    save() { localStorage.setItem(KEY, JSON.stringify(prefs)); },
    unlock() {
      try {
        const AC = window.AudioContext || window.webkitAudioContext;
        if (!AC) return true;
        if (!this.ctx) this.ctx = new AC();
        if (this.ctx.state === "suspended") this.ctx.resume();
        return this.ctx.state !== "suspended";
      } catch (e) { return false; }
    },
    /** True when a tone would be heard now (sound on, and the browser let us play). */
    ready() { return !!this.ctx && this.ctx.state === "running"; },
    ring(urgent, force) {
      window.KQ.rings = (window.KQ.rings || 0) + 1; // observable by tests
      if (!prefs.on && !force) return;
      if (navigator.vibrate) navigator.vibrate(urgent ? [300, 120, 300, 120, 300] : [200, 100, 200]);
      if (!this.ready()) return;
      const now = this.ctx.currentTime, peak = Math.max(0.02, Math.min(1, prefs.volume));
      const tones = urgent ? TONES.alarm : TONES[prefs.tone];
      tones.forEach((f, i) => {
        const o = this.ctx.createOscillator(), g = this.ctx.createGain();
        o.type = urgent ? "square" : "sine"; o.frequency.value = f;
        g.gain.setValueAtTime(0.0001, now + i * 0.22);
        g.gain.exponentialRampToValueAtTime(peak, now + i * 0.22 + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.22 + 0.2);
        o.connect(g).connect(this.ctx.destination);
        o.start(now + i * 0.22); o.stop(now + i * 0.22 + 0.22);
      });
    },
    /** Rings again every repeat_s while `pending()` says a call still waits for someone (none once claimed). */
    keepRinging(pending) {
      clearInterval(this.repeatTimer);
      this.repeatTimer = setInterval(() => {
        const p = pending();
        if (!p) { clearInterval(this.repeatTimer); this.repeatTimer = null; return; }
        this.ring(p === "urgent");
        window.KQ.repeats = (window.KQ.repeats || 0) + 1;
      }, Math.max(2, prefs.repeat_s) * 1000);
    },
    stopRinging() { clearInterval(this.repeatTimer); this.repeatTimer = null; },
    /** Keeps the screen on while on duty (where the browser allows: HTTPS or localhost). */
    async keepAwake(on) {
      this.wanted = on;
      try {
        if (on && !this.wake && navigator.wakeLock && document.visibilityState === "visible") {
          this.wake = await navigator.wakeLock.request("screen");
          this.wake.addEventListener("release", () => { this.wake = null; });
        } else if (!on && this.wake) { await this.wake.release(); this.wake = null; }
      } catch (e) { this.wake = null; }
    },
  };
  // the lock ends when the page is hidden: take it again on return
  document.addEventListener("visibilitychange", () => { if (Alerts.wanted) Alerts.keepAwake(true); });
  window.KQ.Alerts = Alerts;
})();
