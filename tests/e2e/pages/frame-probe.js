// The frame probe of the auto-clean test (tests/e2e/lib/no-flash.mjs). tests/e2e/server.mjs puts
// it first in the <head> of every page served under /frame-probe/, so it runs before the page's
// first paint, in the page's own world. On every animation frame (each runs just before the
// browser paints that frame) it records whether a vendor widget is visible, and where the article
// paragraph named by `?anchor=<its first words>` is, to report how far the clean moves it.
(() => {
  const WIDGETS = '[id^="taboola-"], .trc_related_container, .OUTBRAIN, [data-widget-id], [id^="div-gpt-ad"], .adsbygoogle';
  const anchorText = new URLSearchParams(location.search).get('anchor');
  const probe = {
    frames: 0,               // animation frames seen
    framesWithWidgetInDom: 0, // ... in which a vendor widget was in the page
    framesWithWidget: 0,     // ... in which one was visible (a box with an area)
    firstVisible: null,      // which, in which frame
    anchorMoves: [],         // the anchor paragraph's moves (px, document coordinates)
    layoutShift: null,       // Chromium's cumulative layout shift (Layout Instability API)
  };
  let anchorTop = null;
  let stopped = false;

  const visible = (element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
  };
  const anchor = () => (anchorText ? [...document.querySelectorAll('p')].find((p) => p.textContent.trim().startsWith(anchorText)) : null);

  function frame() {
    if (stopped) return;
    probe.frames += 1;
    const widgets = document.querySelectorAll(WIDGETS);
    if (widgets.length > 0) probe.framesWithWidgetInDom += 1;
    const shown = [...widgets].find(visible);
    if (shown) {
      probe.framesWithWidget += 1;
      probe.firstVisible ??= { frame: probe.frames, id: shown.id, className: String(shown.className) };
    }
    const paragraph = anchor();
    if (paragraph) {
      const top = Math.round(paragraph.getBoundingClientRect().top + scrollY);
      if (anchorTop !== null && top !== anchorTop) probe.anchorMoves.push(top - anchorTop);
      anchorTop = top;
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);

  if ((PerformanceObserver.supportedEntryTypes ?? []).includes('layout-shift')) {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) probe.layoutShift = (probe.layoutShift ?? 0) + entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
    probe.layoutShift = 0;
  } // else (Firefox) no Layout Instability API: the anchor's moves say it there.

  /**
   * What the probe saw, as JSON. `command`: 'stop' ends the recording, 'restart' starts it again
   * from nothing (widget frames counted anew).
   */
  window.readFrameProbe = (command) => {
    if (command === 'stop') stopped = true;
    if (command === 'restart') {
      Object.assign(probe, { frames: 0, framesWithWidgetInDom: 0, framesWithWidget: 0, firstVisible: null, anchorMoves: [] });
      if (stopped) {
        stopped = false;
        requestAnimationFrame(frame);
      }
    }
    return JSON.stringify(probe);
  };
})();
