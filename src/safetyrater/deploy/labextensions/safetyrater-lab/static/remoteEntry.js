// safetyrater-lab: a JupyterLab prebuilt extension, written by hand (no build step).
//
// A lesson's cards are live widgets: once the kernel that drew them is gone,
// JupyterLab shows an empty notebook (the kit saves course notebooks without
// outputs) until the learner finds Run > Run All Cells. This plugin runs a
// notebook whose metadata says `"safetyrater": {"run_on_open": true}` once, when
// it opens, so reopening or reloading a lesson brings its cards back with the
// saved answers. It is loaded only in the learner's JupyterLab (see
// jupyter_config/learner): an instructor opening a handed-in notebook never runs
// it by opening it.
//
// JupyterLab loads a prebuilt extension as a module-federation container
// (window._JUPYTERLAB[name] with init() and get()); this plugin needs nothing
// from the shared modules (it uses the application, its shell and commands), so
// the container is this small object rather than webpack output.
(function () {
  "use strict";

  var RUN_ALL = "notebook:run-all-cells";
  var QUIET_MS = 750;

  function wantsRunOnOpen(panel) {
    var model = panel.context && panel.context.model;
    if (!model || typeof model.getMetadata !== "function") return false;
    var ours = model.getMetadata("safetyrater");
    return !!(ours && ours.run_on_open === true);
  }

  // Resolve once the kernel has been idle for `ms` without a break. On a reload the
  // kernel is the one that drew the old cards, and JupyterLab's widget manager first
  // asks it for every widget's state; a run started during that exchange stalls.
  function whenQuiet(sessionContext, ms) {
    return new Promise(function (resolve) {
      var timer = null;
      function check() {
        var kernel = sessionContext.session && sessionContext.session.kernel;
        if (timer) clearTimeout(timer);
        timer = null;
        if (kernel && kernel.status === "idle") {
          timer = setTimeout(function () {
            sessionContext.statusChanged.disconnect(check);
            resolve();
          }, ms);
        }
      }
      sessionContext.statusChanged.connect(check);
      check();
    });
  }

  function backToTop(notebook) {
    if (notebook.isDisposed || !notebook.widgets.length) return;
    notebook.activeCellIndex = 0;
    if (typeof notebook.scrollToItem === "function") {
      notebook.scrollToItem(0, "start");
    } else if (notebook.node) {
      notebook.node.scrollTop = 0;
    }
  }

  function isNotebookPanel(widget) {
    return !!(widget && widget.context && widget.sessionContext && widget.content && widget.content.widgets);
  }

  var plugin = {
    id: "safetyrater-lab:run-on-open",
    description: "Run a course notebook once when it opens, so its cards show without Run All.",
    autoStart: true,
    activate: function (app) {
      var handled = new WeakSet();

      function runOnOpen(widget) {
        if (!isNotebookPanel(widget) || handled.has(widget)) return;
        handled.add(widget);
        widget.context.ready
          .then(function () {
            if (!wantsRunOnOpen(widget)) return null;
            return widget.sessionContext.ready.then(function () {
              return whenQuiet(widget.sessionContext, QUIET_MS);
            }).then(function () {
              if (widget.isDisposed || !widget.sessionContext.session) return null;
              // Run All acts on the current notebook: make sure that is this one.
              if (app.shell.currentWidget !== widget) app.shell.activateById(widget.id);
              var running = app.commands.execute(RUN_ALL);
              // Run All moves to the last cell; the learner opened the lesson to read it from the top.
              backToTop(widget.content);
              return Promise.resolve(running).then(function () {
                backToTop(widget.content);
              });
            });
          })
          .catch(function (reason) {
            console.warn("safetyrater-lab: could not run " + widget.context.path + " on opening", reason);
          });
      }

      app.restored.then(function () {
        runOnOpen(app.shell.currentWidget);
        if (app.shell.currentChanged) {
          app.shell.currentChanged.connect(function (_shell, change) {
            runOnOpen(change.newValue);
          });
        }
      });
    },
  };

  var container = {
    init: function () {
      return Promise.resolve();
    },
    get: function (module) {
      if (module !== "./extension") {
        return Promise.reject(new Error("safetyrater-lab has no module " + module));
      }
      return Promise.resolve(function () {
        return { __esModule: true, default: plugin };
      });
    },
  };

  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB["safetyrater-lab"] = container;
})();
