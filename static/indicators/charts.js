/* Draws the page's charts with plotly.js: each element with data-figure="<id>" is drawn from the
   JSON ({data, layout}) of the <script type="application/json" id="<id>"> that json_script wrote.

   plotly.js is 4.8 MB (about 1.4 MB compressed), so the page does not link it: this script fetches it
   (the URL in its own data-plotly attribute, written with {% static %} so the hashed name applies)
   only when the first chart comes near the viewport, and draws each chart as it comes near. A chart
   never scrolled to costs nothing; its table below says the same in text. Each drawn chart gets
   data-drawn="yes" (tests wait for it). The figure has no width of its own: it takes its container's
   and follows it (responsive); on a phone long legend names are wrapped to fit (fitLegend). */
(function () {
  "use strict";

  var script = document.currentScript;
  var plotlyUrl = script ? script.getAttribute("data-plotly") : null;
  var plotlyLoading = null;
  // Start a little before the chart is visible, so it is usually drawn by the time it is.
  var MARGIN = "300px 0px";

  var CHARACTER_WIDTH = 13; // a full-width character at the charts' 12 px font, with a little room

  // Plotly never wraps a legend entry: on a phone a long plan name ran past the chart's edge. Break
  // it into lines that fit the chart's width (the names are Japanese: any character may end a line).
  function wrapName(name, perLine) {
    if (typeof name !== "string" || name.length <= perLine) {
      return name;
    }
    var lines = [];
    for (var start = 0; start < name.length; start += perLine) {
      lines.push(name.slice(start, start + perLine));
    }
    return lines.join("<br>");
  }

  function fitLegend(element, figure) {
    var perLine = Math.floor((element.clientWidth - 60) / CHARACTER_WIDTH);
    if (perLine < 8 || element.clientWidth >= 768) {
      return;
    }
    var lines = 0;
    figure.data.forEach(function (trace) {
      if (trace.name && trace.showlegend !== false) {
        trace.name = wrapName(trace.name, perLine);
        lines += trace.name.split("<br>").length;
      }
    });
    // The legend stands one entry a line below the plot: the chart grows by its height, so that the
    // plot keeps its size and the legend is not cut off at the bottom.
    if (figure.layout.height) {
      figure.layout.height += lines * 20;
    }
  }

  function loadPlotly() {
    if (window.Plotly) {
      return Promise.resolve(window.Plotly);
    }
    if (!plotlyLoading) {
      plotlyLoading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = plotlyUrl;
        tag.async = true;
        tag.onload = function () {
          if (window.Plotly) {
            resolve(window.Plotly);
          } else {
            plotlyLoading = null;
            reject(new Error("plotly.js loaded but defined no Plotly: " + plotlyUrl));
          }
        };
        tag.onerror = function () {
          plotlyLoading = null; // a later chart may try again (the network may be back)
          reject(new Error("plotly.js could not be loaded: " + plotlyUrl));
        };
        document.head.appendChild(tag);
      });
    }
    return plotlyLoading;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-figure"));
    if (!source || element.hasAttribute("data-drawing")) {
      return;
    }
    element.setAttribute("data-drawing", "yes");
    loadPlotly()
      .then(function (Plotly) {
        var figure = JSON.parse(source.textContent);
        fitLegend(element, figure);
        return Plotly.newPlot(element, figure.data, figure.layout, {
          responsive: true,
          displaylogo: false,
          modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
        });
      })
      .then(function () {
        element.setAttribute("data-drawn", "yes");
      })
      .catch(function () {
        // Not loaded, or not drawn (a figure plotly refused): the table under the chart carries the
        // same values; the next chart scrolled to tries the loading again.
        element.removeAttribute("data-drawing");
        if (!element.querySelector("[data-chart-failed]")) {
          var note = document.createElement("p");
          note.className = "small text-body-secondary";
          note.setAttribute("data-chart-failed", "yes");
          note.textContent = "グラフを読み込めませんでした。同じ値を下の表に示します。";
          element.appendChild(note);
        }
      });
  }

  function start() {
    var charts = document.querySelectorAll("[data-figure]");
    if (!charts.length || !plotlyUrl) {
      return;
    }
    if (!("IntersectionObserver" in window)) {
      charts.forEach(draw); // an old browser: everything at once, as before
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            draw(entry.target);
          }
        });
      },
      { rootMargin: MARGIN }
    );
    charts.forEach(function (element) {
      observer.observe(element);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
