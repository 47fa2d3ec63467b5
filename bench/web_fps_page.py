"""The page side of bench.web_fps: instrumentation injected into the HQ page, the snippets that
sample it, and the CPU profile summary."""

from __future__ import annotations

# Instrumentation installed before the page's own scripts run.
INIT_JS = r"""
(() => {
  const B = window.__bench = {msgs: 0, bytes: 0, handlerMs: 0, handlerMax: 0, lags: [], raf: 0,
                              longtasks: 0, longMs: 0, longMax: 0};
  const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    configurable: true, enumerable: true,
    get() { return desc.get.call(this); },
    set(fn) {
      if (typeof fn !== 'function') return desc.set.call(this, fn);
      desc.set.call(this, function (ev) {
        const t0 = performance.now();
        try { return fn.call(this, ev); } finally {
          const dt = performance.now() - t0;
          B.msgs++; B.handlerMs += dt; if (dt > B.handlerMax) B.handlerMax = dt;
          if (typeof ev.data === 'string') {
            B.bytes += ev.data.length;
            const m = /^\{"type":"deltas","t":(\d+)/.exec(ev.data.slice(0, 48));
            if (m) B.lags.push(Date.now() - Number(m[1]));
          }
        }
      });
    }
  });
  const loop = () => { B.raf++; requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) {
        B.longtasks++; B.longMs += e.duration; if (e.duration > B.longMax) B.longMax = e.duration;
      }
    }).observe({type: 'longtask', buffered: true});
  } catch (e) { /* no longtask support */ }
})();
"""

SAMPLE_JS = """() => {
  const B = window.__bench, q = window.__quadriller;
  const vp = q.deck.getViewports()[0];
  let inView = 0;
  const lags = B.lags.splice(0);
  return {msgs: B.msgs, bytes: B.bytes, handlerMs: B.handlerMs, handlerMax: B.handlerMax, raf: B.raf,
          longtasks: B.longtasks, longMs: B.longMs, longMax: B.longMax, lags,
          frames: q.frames, volunteers: q.live ? q.live.volunteers : 0,
          commits: q.redraw ? q.redraw.commits : 0, renderMs: q.redraw ? q.redraw.renderMs : null,
          zoom: vp ? vp.zoom : null, width: vp ? vp.width : 0, height: vp ? vp.height : 0,
          t: performance.now()};
}"""

IN_VIEW_JS = """(points) => {
  const vp = window.__quadriller.deck.getViewports()[0];
  let n = 0;
  for (const p of points) { const [x, y] = vp.project(p); if (x >= 0 && y >= 0 && x < vp.width && y < vp.height) n++; }
  return n;
}"""

RENDERER_JS = """() => {
  const gl = document.createElement('canvas').getContext('webgl2') || document.createElement('canvas').getContext('webgl');
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
}"""


# The live volunteers the page holds, for the in-view count (the live layer's data: with viewport
# culling, that is the volunteers near the view, a superset of those in it).
POINTS_JS = """() => { const out = []; const d = window.__quadriller.deck; const l = d.props.layers.find(x => x.id === 'live-volunteers');
                       for (const s of (l ? l.props.data : [])) out.push([s.v.lon, s.v.lat]); return out; }"""

# The last live render's duration (commit to the first animation frame after deck's onAfterRender,
# hq/throttle.ts), sampled once a second during a phase.
RENDER_MS_JS = "() => window.__quadriller.redraw ? window.__quadriller.redraw.renderMs : null"


def summarise_profile(profile: dict, top: int = 12) -> list[dict]:
    """Self time per function (url:line:col), and per bucket (app, vendor, GC, idle, program)."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    self_us: dict[int, float] = {}
    samples, deltas = profile.get("samples", []), profile.get("timeDeltas", [])
    for sid, dt in zip(samples, deltas):
        self_us[sid] = self_us.get(sid, 0.0) + dt
    by_fn: dict[tuple, float] = {}
    for nid, us in self_us.items():
        cf = nodes[nid]["callFrame"]
        url = cf.get("url", "").rsplit("/", 1)[-1]
        key = (
            cf.get("functionName") or "(anonymous)",
            url,
            cf.get("lineNumber", -1) + 1,
            cf.get("columnNumber", -1) + 1,
        )
        by_fn[key] = by_fn.get(key, 0.0) + us
    total = sum(by_fn.values()) or 1.0
    ranked = sorted(by_fn.items(), key=lambda kv: -kv[1])
    return [
        {
            "fn": k[0],
            "at": f"{k[1]}:{k[2]}:{k[3]}" if k[1] else "",
            "ms": round(v / 1000, 1),
            "share": round(v / total, 3),
        }
        for k, v in ranked[:top]
    ]
