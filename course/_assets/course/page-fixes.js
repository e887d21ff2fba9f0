// Two small fixes so that the widget players of the course work on the static pages of
// Jupyter Book 1.x. Loaded on every page, before the theme's deferred scripts run and
// before the widget manager renders anything.

// 1. FontAwesome's mutation observer replaces each <i class="fa ..."> it finds with an
//    <svg>, including the icon inside the Play widget; the widget then fails when it
//    updates its icon and the player stops stepping. The theme's own icons are drawn once
//    at load time either way, so the observer is not needed.
window.FontAwesomeConfig = Object.assign(window.FontAwesomeConfig || {}, {
  observeMutations: false,
});

// 2. The widget manager (html-manager 1.0.x) typesets widget labels through the MathJax 2
//    call `MathJax.Hub.Queue(...)`; the site uses MathJax 3, which has no `Hub`, and a
//    widget with a label would fail to render. Give whichever MathJax object the page ends
//    up with (the configuration first, then MathJax 3 itself) a `Hub.Queue` that typesets
//    with the MathJax 3 API.
(function () {
  let current = window.MathJax;
  const hub = {
    Queue(job) {
      const element = Array.isArray(job) ? job[2] : undefined;
      const mathjax = current;
      if (!mathjax || typeof mathjax.typesetPromise !== "function") return;
      const ready = (mathjax.startup && mathjax.startup.promise) || Promise.resolve();
      ready.then(() => mathjax.typesetPromise(element ? [element] : undefined)).catch(() => {});
    },
  };
  const withHub = (value) => {
    if (value && typeof value === "object" && !value.Hub) {
      try { value.Hub = hub; } catch (e) { /* a frozen object: leave it */ }
    }
    return value;
  };
  current = withHub(current);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get() { return current; },
    set(value) { current = withHub(value); },
  });
})();

// 3. Pictures of graphs are scaled to fit the page, down to a readable size (a wider one scrolls
//    sideways). Under each picture that is shown smaller than its natural size, a button shows
//    it at its full size, and back.
// 4. The players' Play, Pause, Stop and Repeat buttons are icons only, and their slider handles
//    have no label of their own: give each its name, for screen readers and as a tooltip.
(function () {
  const ICONS = {"fa-play": "Play", "fa-pause": "Pause", "fa-stop": "Stop", "fa-retweet": "Repeat",
                 "fa-repeat": "Repeat"};

  function addZoom(picture) {
    if (picture.dataset.zoom) return;
    picture.dataset.zoom = "1";
    // a box that may scroll sideways must be reachable with the keyboard
    picture.tabIndex = 0;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "ts-zoom";
    const show = (full) => {
      picture.classList.toggle("ts-full", full);
      button.textContent = full ? "Fit to the page" : "Show at full size";
      button.setAttribute("aria-pressed", String(full));
    };
    button.addEventListener("click", () => show(!picture.classList.contains("ts-full")));
    show(false);
    picture.after(button);
  }

  function showZoomWhereUseful() {
    document.querySelectorAll(".ts-picture[data-zoom]").forEach((picture) => {
      const svg = picture.querySelector("svg");
      const button = picture.nextElementSibling;
      if (!svg || !button || !button.classList.contains("ts-zoom")) return;
      const shown = svg.getBoundingClientRect().width;
      const scaled = shown > 0 && shown < svg.width.baseVal.value - 1;
      button.hidden = !(scaled || picture.classList.contains("ts-full"));
    });
  }

  function nameControls(root) {
    root.querySelectorAll(".widget-play button").forEach((button) => {
      const icon = button.querySelector("i");
      const name = icon && Object.keys(ICONS).find((c) => icon.classList.contains(c));
      if (name && button.getAttribute("aria-label") !== ICONS[name]) {
        button.setAttribute("aria-label", ICONS[name]);
        button.title = ICONS[name];
      }
    });
    root.querySelectorAll(".widget-slider").forEach((slider) => {
      const label = slider.querySelector(".widget-label");
      const text = (label && label.textContent.trim()) || "position";
      slider.querySelectorAll(".noUi-handle").forEach((handle) => {
        if (!handle.getAttribute("aria-label")) handle.setAttribute("aria-label", text);
      });
      slider.querySelectorAll(".widget-readout").forEach((readout) => {
        if (!readout.getAttribute("aria-label")) readout.setAttribute("aria-label", text + " value");
      });
    });
  }

  function fix(root) {
    root.querySelectorAll(".ts-picture").forEach(addZoom);
    nameControls(root);
    // the theme's wide tables scroll sideways too
    root.querySelectorAll(".pst-scrollable-table-container:not([tabindex])").forEach((box) => {
      box.tabIndex = 0;
    });
    showZoomWhereUseful();
    // the theme's search button is labelled "Search" but reads "Search Ctrl+K": let it be
    // named by what it shows
    root.querySelectorAll(".search-button-field[aria-label]").forEach((button) => {
      button.removeAttribute("aria-label");
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    fix(document);
    // players are drawn by the widget manager after the page has loaded, and show one frame
    // at a time
    new MutationObserver(() => fix(document)).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["class", "style"]});
    window.addEventListener("resize", showZoomWhereUseful);
  });
})();

// 5. Without its widget manager (the default build opened with no internet: the manager comes
//    from cdn.jsdelivr.net), a player would vanish without a trace. Show its first frame from
//    the widget state stored in the page instead, and say why it does not move.
(function () {
  let failed = false;

  function firstFrame(state, id, depth) {
    const model = state[id];
    if (!model || depth > 12) return null;
    const s = model.state || {};
    if (model.model_name === "HTMLModel") return s.value || null;
    const children = (s.children || []).map((c) => String(c).replace("IPY_MODEL_", ""));
    if (model.model_name === "StackModel") {
      return firstFrame(state, children[s.selected_index || 0], depth + 1);
    }
    for (const child of children) {
      const frame = firstFrame(state, child, depth + 1);
      if (frame) return frame;
    }
    return null;
  }

  function showStaticFrames() {
    const stored = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
    let state = {};
    try { state = JSON.parse(stored.textContent).state || {}; } catch (e) { /* no stored state */ }
    document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').forEach((view) => {
      if (view.dataset.fallback) return;
      view.dataset.fallback = "1";
      let id = null;
      try { id = JSON.parse(view.textContent).model_id; } catch (e) { /* leave id empty */ }
      const box = document.createElement("div");
      box.className = "ts-widget-fallback";
      const note = document.createElement("p");
      note.className = "ts-widget-fallback-note";
      note.textContent = "This player needs the Jupyter widget manager, which could not be " +
        "loaded (it comes from cdn.jsdelivr.net: are you offline?). Below is its first frame. " +
        "To step through it, use the offline copy of the course (built with " +
        "`make course OFFLINE=1`) or run the notebook in Jupyter.";
      box.append(note);
      const frame = id && firstFrame(state, id, 0);
      if (frame) {
        const holder = document.createElement("div");
        holder.innerHTML = frame;
        box.append(holder);
      }
      view.after(box);
    });
  }

  function fallBack() {
    if (failed) return;
    failed = true;
    showStaticFrames();
  }

  // A widget script that fails after this file has loaded.
  window.addEventListener("error", (event) => {
    const el = event.target;
    if (el && el.tagName === "SCRIPT" && /require(\.min)?\.js|html-manager|embed-amd/.test(el.src || "")) {
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fallBack);
      else fallBack();
    }
  }, true);
  // The widget scripts come before this file in the page, so they may have failed already:
  // without require.js nothing can render; with it, give the manager a few seconds to draw.
  window.addEventListener("load", () => {
    const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    if (!views.length) return;
    if (typeof window.require === "undefined") { fallBack(); return; }
    setTimeout(() => {
      const drawn = [...views].some((v) => v.parentElement.querySelector(".jupyter-widgets, .widget-box"));
      if (!drawn) fallBack();
    }, 5000);
  });
})();

// 6. Search results quote the page's text, where formulas are still TeX between \( and \):
//    show the TeX without its delimiters.
document.addEventListener("DOMContentLoaded", () => {
  const results = document.getElementById("search-results");
  if (!results) return;
  const clean = () => results.querySelectorAll("p.context:not([data-clean])").forEach((p) => {
    p.dataset.clean = "1";
    p.textContent = p.textContent.replace(/\\[()[\]]/g, "");
  });
  new MutationObserver(clean).observe(results, {childList: true, subtree: true});
});
