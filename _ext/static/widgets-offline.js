/* Loaded on pages with stored Jupyter widgets, between require.js and the widgets manager
   (embed-amd.js): see nb_ipywidgets_js in _config.yml. Both scripts come from this site. */
(function () {
  "use strict";
  // The manager finds its icon fonts next to the AMD module it defines, whose URL require.js
  // derives from the module's name: point that name at the site's copy of the manager.
  var root = (document.documentElement.dataset.content_root || "./") + "_static/jupyter-widgets";
  require.config({paths: {"@jupyter-widgets/html-manager/dist": new URL(root, document.baseURI).href}});

  // The manager typesets widget labels through MathJax 2's MathJax.Hub.Queue, but the site loads
  // MathJax 3 (no Hub): give every object that becomes window.MathJax a Hub that does it the v3 way.
  var current = window.MathJax;
  var hub = {
    Queue: function (job) {
      var mj = current, element = Array.isArray(job) ? job[2] : undefined;
      if (mj && mj.typesetPromise && mj.startup && mj.startup.promise) {
        mj.startup.promise
          .then(function () { return mj.typesetPromise(element ? [element] : undefined); })
          .catch(function (err) { console.warn("MathJax could not typeset a widget:", err); });
      }
    }
  };
  function withHub(value) {
    if (value && typeof value === "object" && !value.Hub) value.Hub = hub;
    return value;
  }
  current = withHub(current);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); }
  });
})();
