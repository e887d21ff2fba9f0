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
