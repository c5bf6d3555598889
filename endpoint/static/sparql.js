// riikg SPARQL editor: YASGUI bound to this endpoint, the project's prefixes, the examples.
// No network access besides this endpoint: the LOV class/property autocompleters are off.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("sparql-config").textContent);
  if (typeof window.Yasgui === "undefined") {
    document.getElementById("yasgui").textContent =
      "The editor library is missing (run `make vendor`).";
    return;
  }
  var Yasgui = window.Yasgui;
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  var endpoint = new URL(cfg.endpoint, window.location.href).href;
  var first = cfg.examples.length ? cfg.examples[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10";
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: "riikg-sparql",
    yasqe: { value: first },
  });
  var tab = yasgui.getTab();
  if (tab && tab.getYasqe()) {
    tab.getYasqe().addPrefixes(cfg.prefixes);
  }
  document.querySelectorAll("button.sparql-example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = cfg.examples[Number(button.dataset.example)];
      var current = yasgui.addTab(true, { name: example.summary.slice(0, 40) });
      current.setEndpoint(endpoint);
      current.setQuery(example.query);
    });
  });
  // Truncation is never silent: show the endpoint's X-Result-Truncated signal.
  var notice = document.getElementById("sparql-notice");
  var originalFetch = window.fetch;
  window.fetch = function (input) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    return originalFetch.apply(this, arguments).then(function (response) {
      if (notice && url.indexOf(endpoint) === 0) {
        if (response.headers.get("X-Result-Truncated") === "true") {
          notice.textContent = "Results truncated: only the first " +
            response.headers.get("X-Result-Max-Rows") +
            " rows are shown (X-Result-Truncated). Add LIMIT/OFFSET or use the dumps.";
          notice.hidden = false;
        } else {
          notice.hidden = true;
        }
      }
      return response;
    });
  };
  window.riikgYasgui = yasgui;
})();
